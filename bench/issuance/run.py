"""Run the bare loop, then the same documents through the stack, and print the table.

``.venv/bin/python -m bench.issuance [-n 30] [--clients 4] [--warmup 3] [--json FILE]``
"""

import argparse
import asyncio
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.issuance.bare_loop import STEPS, print_bare_loop, run_bare_loop
from bench.issuance.stats import out
from bench.issuance.through_stack import print_through_stack, run_through_stack

__all__ = ["main"]

CPU_TARGET_MS = 250.0
RATIO_TARGET = 0.8


def _machine() -> str:
    model = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"
    )


def summary_table(bare: dict[str, Any], stack: dict[str, Any]) -> list[str]:
    ratio = stack["docs_per_s"] / bare["docs_per_s"]
    stack_cpu = sum(
        ms
        for role, ms in stack["cpu_ms_per_doc"].items()
        if role not in ("workers (all)", "bench client")
    )
    total = bare["total"]["process_cpu"]
    rows = [
        "| measure | value | target |",
        "| --- | --- | --- |",
        f"| bare loop (1 process, sequential) | {bare['docs_per_s']:.2f} docs/s | |",
        f"| through the stack ({stack['worker_processes']} worker processes, "
        f"{stack['clients']} clients) | {stack['docs_per_s']:.2f} docs/s | |",
        f"| ratio stack / bare | {ratio:.2f} | ≥ {RATIO_TARGET} "
        f"{'met' if ratio >= RATIO_TARGET else 'NOT met'} |",
        f"| ratio stack / bare, per worker process | "
        f"{ratio / max(1, stack['worker_processes']):.2f} | |",
        f"| CPU efficiency: bare CPU / stack CPU (all processes) per document | "
        f"{bare['process_cpu_s'] / bare['n'] * 1000 / stack_cpu:.2f} | |",
    ]
    for step in STEPS:
        m = bare["steps"][step]["process_cpu"]
        rows.append(
            f"| CPU ms {step} (median / p90) | {m['median_ms']:.1f} / {m['p90_ms']:.1f} | |"
        )
    rows.append(
        f"| CPU ms render + sign + stamp (median / p90) | {total['median_ms']:.1f} / "
        f"{total['p90_ms']:.1f} | ≤ {CPU_TARGET_MS:.0f} "
        f"{'met' if total['median_ms'] <= CPU_TARGET_MS else 'NOT met'} (median) |"
    )
    for role, ms in stack["cpu_ms_per_doc"].items():
        if role != "supervisor":
            rows.append(f"| stack CPU ms per document: {role} | {ms:.0f} | |")
    rows.append(
        f"| machine busy during the stack run | {100 * stack['machine_busy']:.0f} % of "
        f"{stack['cpus']} CPUs | |"
    )
    rows.append(
        f"| CPUs busy outside the stack during its run (other load) | "
        f"{stack['other_load_cpus']:.2f} | ~0 for a clean run |"
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="documents measured (default 30)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent API clients")
    parser.add_argument("--warmup", type=int, default=3, help="documents before measuring")
    parser.add_argument("--json", type=Path, help="also write all measurements here")
    parser.add_argument(
        "--workers", type=int, help="worker processes of hoso dev (default: its own, 2 here)"
    )
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    out(f"{started:%Y-%m-%d %H:%M} UTC, {_machine()}")
    t0 = time.perf_counter()
    bare = asyncio.run(run_bare_loop(args.n, args.warmup))
    print_bare_loop(bare)
    out()
    stack = asyncio.run(run_through_stack(args.n, args.clients, args.warmup, workers=args.workers))
    print_through_stack(stack)
    out()
    for row in summary_table(bare, stack):
        out(row)
    out(f"\n(benchmark took {time.perf_counter() - t0:.0f} s)")
    if args.json:
        result = {
            "started": started.isoformat(),
            "machine": _machine(),
            "bare": bare,
            "stack": stack,
        }
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0
