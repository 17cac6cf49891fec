"""Through the running stack: ``hoso dev`` (Temporal dev server, worker, API) on free
loopback ports with a temporary data directory, then N ``POST /cases/{code}/documents``
of the 2-page decision by ``ptt.tuan`` from a few concurrent clients.

Measured over the timed window (after a warm-up): documents per second end to end,
request latency, the CPU seconds of each child process (``/proc/<pid>/stat``), the share
of the machine's CPUs that was busy (``/proc/stat``), and, from the workflow histories,
how long each activity waited in the task queue and ran.

Run alone: ``.venv/bin/python -m bench.issuance.through_stack [-n 30] [--clients 4]``.
"""

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.issuance import samples
from bench.issuance.stats import out, proc_cpu_seconds, summary

__all__ = ["run_through_stack"]

ROOT = Path(__file__).resolve().parents[2]
HOSO = Path(sys.executable).parent / "hoso"
START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 90
REQUEST_TIMEOUT_S = 120
ISSUER = "ptt.tuan"
ACTIVITIES = (
    "authorize_issue",
    "render_draft",
    "sign_official",
    "register_document",
    "record_recipients",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _role(pid: int) -> str:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    if argv and Path(argv[0].decode()).name == "temporal":
        return "temporal"
    if b"worker" in argv:
        return "worker"
    if b"serve" in argv:
        return "api"
    return f"pid {pid}"


def _busy_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # without guest time, already counted in user
    return total - idle, total


class Stack:
    """``hoso dev`` in a temporary data directory; stopped with SIGINT like Ctrl-C."""

    def __init__(self, data_dir: Path, workers: int | None = None) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.api_port, self.temporal_port, self.ui_port = (_free_port() for _ in range(3))
        self.log_path = data_dir.parent / "hoso-dev.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.pids: dict[str, int] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}/api/v1"

    @property
    def temporal_address(self) -> str:
        return f"127.0.0.1:{self.temporal_port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "HOSO_DATA_DIR": str(self.data_dir),
            "HOSO_API_HOST": "127.0.0.1",
            "HOSO_API_PORT": str(self.api_port),
            "HOSO_TEMPORAL_ADDRESS": self.temporal_address,
            "HOSO_TEMPORAL_UI_PORT": str(self.ui_port),
        }
        if self.workers is not None:
            env["HOSO_DEV_WORKERS"] = str(self.workers)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(HOSO), "dev"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        async with httpx.AsyncClient(timeout=5) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"hoso dev exited:\n{self.output()}")
                try:
                    healthy = (await http.get(f"{self.base_url}/health")).status_code == 200
                except httpx.HTTPError:
                    healthy = False
                if healthy and "hoso is running" in self.output():
                    break
                await asyncio.sleep(0.3)
            else:
                raise RuntimeError(f"hoso dev not ready in {START_TIMEOUT_S} s:\n{self.output()}")
        self.pids = {}
        for pid in sorted(_children(self.process.pid)):  # started in order: lower pid first
            role = _role(pid)
            if role == "worker":
                count = sum(1 for r in self.pids if r.startswith("worker"))
                role = "worker" if count == 0 else f"worker-{count + 1}"
            self.pids[role] = pid
        self.pids["supervisor"] = self.process.pid

    def tokens(self) -> dict[str, str]:
        return json.loads((self.data_dir / "demo-tokens.json").read_text())

    def cpu(self) -> dict[str, float]:
        return {role: proc_cpu_seconds(pid) for role, pid in self.pids.items()}

    def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGINT)  # what Ctrl-C does
        try:
            return self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            # only the processes this benchmark started, by their ids
            for role, pid in self.pids.items():
                if role != "supervisor":
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            self.process.kill()
            return self.process.wait()


async def _open_case(http: httpx.AsyncClient, headers: dict[str, str], title: str) -> str:
    response = await http.post(
        "/cases",
        json={"agency_code": "CSDTHN", "title": title, "offence": "Điều 173 BLHS"},
        headers=headers,
    )
    if response.status_code != 201:
        raise RuntimeError(f"POST /cases: {response.status_code} {response.text}")
    return response.json()["code"]


async def _issue(http: httpx.AsyncClient, headers: dict[str, str], code: str) -> dict[str, Any]:
    response = await http.post(
        f"/cases/{code}/documents",
        json={"doc_type": samples.DOC_TYPE.value, "fields": samples.FIELDS, "level": "B-T"},
        headers=headers,
    )
    if response.status_code != 201:
        raise RuntimeError(f"POST documents: {response.status_code} {response.text[:500]}")
    return response.json()


async def _activity_times(address: str, case_codes: list[str], since: datetime) -> dict[str, Any]:
    """Per activity type: time scheduled → started (queue wait) and started → completed,
    over the IssueDocument workflows started at or after ``since`` (not the warm-up)."""
    from temporalio.api.enums.v1 import EventType
    from temporalio.client import Client

    client = await Client.connect(address)
    wait: dict[str, list[float]] = defaultdict(list)
    run: dict[str, list[float]] = defaultdict(list)
    workflows: list[float] = []
    codes = ", ".join(f'"{c}"' for c in case_codes)
    query = f'WorkflowType = "IssueDocumentWorkflow" AND CaseCode IN ({codes})'
    async for execution in client.list_workflows(query):
        if execution.start_time < since:
            continue
        history = await client.get_workflow_handle(execution.id).fetch_history()
        names: dict[int, str] = {}
        started: dict[int, float] = {}
        scheduled: dict[int, float] = {}
        first = last = None
        for event in history.events:
            at = event.event_time.ToDatetime().timestamp()
            first = at if first is None else first
            kind = event.event_type
            if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                attrs = event.activity_task_scheduled_event_attributes
                names[event.event_id] = attrs.activity_type.name
                scheduled[event.event_id] = at
            elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                attrs = event.activity_task_started_event_attributes
                started[attrs.scheduled_event_id] = at
            elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                sid = event.activity_task_completed_event_attributes.scheduled_event_id
                name = names[sid]
                # the started event is written when the activity completes; its time is
                # when the worker picked the task up
                wait[name].append(started[sid] - scheduled[sid])
                run[name].append(at - started[sid])
            elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
                last = at
        if first is not None and last is not None:
            workflows.append(last - first)
    return {
        "workflows": len(workflows),
        "workflow_wall": summary(workflows) if workflows else None,
        "activities": {
            name: {"queue_wait": summary(wait[name]), "run": summary(run[name])}
            for name in ACTIVITIES
            if run[name]
        },
    }


async def _measure(stack: Stack, n: int, clients: int, warmup: int) -> dict[str, Any]:
    token = stack.tokens()[ISSUER]
    headers = {"Authorization": f"Bearer {token}"}
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S, connect=10)
    limits = httpx.Limits(max_connections=clients + 2)
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=timeout, limits=limits) as http:
        t0 = time.perf_counter()
        cases = [await _open_case(http, headers, f"Vụ đo tải số {i + 1}") for i in range(clients)]
        open_case_s = (time.perf_counter() - t0) / clients
        for i in range(warmup):
            await _issue(http, headers, cases[i % clients])

        remaining = n
        latencies: list[float] = []
        pages: set[int] = set()

        async def client(code: str) -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                start = time.perf_counter()
                document = await _issue(http, headers, code)
                latencies.append(time.perf_counter() - start)
                pages.add(document["page_count"])

        since = datetime.now(UTC)
        cpu0, busy0, own0 = stack.cpu(), _busy_ticks(), time.process_time()
        wall0 = time.perf_counter()
        await asyncio.gather(*(client(code) for code in cases))
        wall = time.perf_counter() - wall0
        cpu1, busy1, own1 = stack.cpu(), _busy_ticks(), time.process_time()
    cpu = {role: cpu1[role] - cpu0[role] for role in cpu0}
    workers = [role for role in cpu if role.startswith("worker")]
    if len(workers) > 1:
        cpu["workers (all)"] = sum(cpu[role] for role in workers)
    cpu["bench client"] = own1 - own0
    busy = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
    # CPU the machine spent outside the stack and this client (other people's processes,
    # the kernel's own threads): a run with much of it is not comparable
    ours = sum(v for role, v in cpu.items() if role != "workers (all)")
    other_cpus = max(0.0, busy * (os.cpu_count() or 1) - ours / wall)
    history = await _activity_times(stack.temporal_address, cases, since)
    log_lines = sum(
        path.read_text(errors="replace").count("\n")
        for path in (stack.data_dir / "logs").glob("worker*.log")
    )
    return {
        "n": n,
        "clients": clients,
        "warmup": warmup,
        "pages": sorted(pages),
        "wall_s": wall,
        "docs_per_s": n / wall,
        "latency": summary(latencies),
        "open_case_s": open_case_s,
        "cpu_s": cpu,
        "cpu_ms_per_doc": {role: s * 1000 / n for role, s in cpu.items()},
        "machine_busy": busy,
        "other_load_cpus": other_cpus,
        "cpus": os.cpu_count(),
        "worker_processes": len(workers),
        "history": history,
        "worker_log_lines_per_doc": log_lines / (n + warmup),
    }


async def run_through_stack(
    n: int = 30, clients: int = 4, warmup: int = 3, keep: bool = False, workers: int | None = None
) -> dict[str, Any]:
    """``workers``: worker processes of ``hoso dev`` (``HOSO_DEV_WORKERS``); ``None``: its
    default (one per CPU, at most 2)."""
    tmp = Path(tempfile.mkdtemp(prefix="hoso-bench-"))
    stack = Stack(tmp / "data", workers)
    try:
        started = time.perf_counter()
        stack.start()
        await stack.wait_ready()
        startup_s = time.perf_counter() - started
        result = await asyncio.wait_for(
            _measure(stack, n, clients, warmup), timeout=REQUEST_TIMEOUT_S * (n + warmup)
        )
        result["startup_s"] = startup_s
    finally:
        code = await asyncio.to_thread(stack.stop)
        stopped = stack.output().count("stopped ")
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    result["stack_exit"] = code
    result["children_stopped"] = stopped
    return result


def print_through_stack(result: dict[str, Any]) -> None:
    out(
        f"through the stack ({result['worker_processes']} worker processes): "
        f"{result['n']} documents by {result['clients']} clients in "
        f"{result['wall_s']:.2f} s = {result['docs_per_s']:.2f} docs/s; latency median "
        f"{result['latency']['median_ms']:.0f} ms, p90 {result['latency']['p90_ms']:.0f} ms"
    )
    out(
        f"machine busy {100 * result['machine_busy']:.0f} % of {result['cpus']} CPUs "
        f"(of which {result['other_load_cpus']:.2f} CPUs outside the stack); "
        f"stack started in {result['startup_s']:.1f} s, stopped with exit "
        f"{result['stack_exit']}; POST /cases {1000 * result['open_case_s']:.0f} ms"
    )
    out(
        "CPU ms per document: "
        + ", ".join(f"{role} {ms:.0f}" for role, ms in result["cpu_ms_per_doc"].items())
    )
    history = result["history"]
    if history["workflow_wall"]:
        out(
            f"IssueDocument workflows: {history['workflows']}, wall median "
            f"{history['workflow_wall']['median_ms']:.0f} ms"
        )
    out(f"{'activity':<20} {'queue wait ms med/p90':>22} {'run ms med/p90':>17}")
    for name, m in history["activities"].items():
        wait, run = m["queue_wait"], m["run"]
        out(
            f"{name:<20} {wait['median_ms']:9.0f} / {wait['p90_ms']:7.0f} "
            f"{run['median_ms']:7.0f} / {run['p90_ms']:7.0f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="documents measured (default 30)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--warmup", type=int, default=3, help="documents before (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument(
        "--workers", type=int, help="worker processes (HOSO_DEV_WORKERS; default: hoso dev's)"
    )
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)
    result = asyncio.run(
        run_through_stack(args.n, args.clients, args.warmup, args.keep, args.workers)
    )
    print_through_stack(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
