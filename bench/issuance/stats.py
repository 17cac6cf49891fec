"""Small helpers shared by the benchmarks: percentiles, /proc CPU times, output."""

import os
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["clk_tck_seconds", "out", "p90", "proc_cpu_seconds", "summary"]

_CLK_TCK = os.sysconf("SC_CLK_TCK")


def clk_tck_seconds(ticks: int) -> float:
    return ticks / _CLK_TCK


def p90(values: Sequence[float]) -> float:
    """90th percentile (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, -(-9 * len(ordered) // 10) - 1)  # ceil(0.9 n) - 1
    return ordered[rank]


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median, p90, mean of ``values`` (seconds in, milliseconds out)."""
    return {
        "median_ms": statistics.median(values) * 1000,
        "p90_ms": p90(values) * 1000,
        "mean_ms": statistics.fmean(values) * 1000,
    }


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads), from /proc/<pid>/stat."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    # the command name (field 2) may contain spaces: split after its closing parenthesis
    fields = raw[raw.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return clk_tck_seconds(utime + stime)


def out(text: str = "") -> None:
    """Print a line (the project's ruff rules forbid print)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
