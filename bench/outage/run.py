"""N deliveries pending while the account platform (VNeID in the simulator) is down, then its
recovery, through real processes on loopback: the Temporal dev server, the simulator, the
API (receives the platform's webhooks), the case-file worker and the account-platform worker.

1. Set-up: hoso's database (migrate, demo, one case, one document, N victims with accounts
   as its recipients); the simulator's state (N accounts, "delivered" 1 s after acceptance);
   the simulator's capacity for vneid; vneid down; N DeliverDocument workflows started with
   the default DeliveryPolicy (electronic limit 3 days, far beyond the outage).
2. Waiting: every second, CPU and RSS of every process (``/proc``) and the simulator's count
   of refused calls. The outage ends once every delivery has been refused ``--outage-attempts``
   times (default: one more than the attempts before the backoff reaches its cap) and no call
   came for ``--quiet`` seconds, i.e. between two waves of retries, so the whole backlog comes
   back together at the next wave (the recovery latency, at most one backoff cap).
3. Drain: the simulator's accepted calls (``accepted_at``) against the configured capacity;
   then every workflow must complete. On the retry timers the backlog returns with the spread
   of its last wave; ``--release`` resets the waiting activities at the end of the outage, so
   only the queue's rate limit (and the CPU) paces the drain.
4. Checks: each of the N idempotency keys accepted exactly once, each account given exactly one
   delivery, every workflow ``delivered_electronic``, every recipient so in hoso's database.

``.venv/bin/python -m bench.outage [-n 5000] [--capacity 50] [--json FILE]``
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import ResetActivityRequest
from temporalio.service import RPCError

from bench.issuance.stats import out
from bench.outage.processes import Processes, busy_ticks, free_port, temporal_command, wait_until
from bench.outage.setup import create_recipients, migrate_and_load_demo, seed_accounts
from casefile.db import make_engine
from casefile.delivery import (
    AccountStatus,
    DeliveryPolicy,
    RecipientFacts,
    electronic_idempotency_key,
)
from casefile.fonts import ensure_signature_font
from casefile.settings import Settings
from casefile.signing.pki import DemoPKI
from casefile.signing.runtime import default_font_cache_dir
from hoso.devstack import temporal_binary
from platforms.simulator.store import STATE_FILE
from workflows import deliver_document_workflow_id
from workflows.client import connect
from workflows.deliver_document import DeliverDocumentWorkflow
from workflows.io import DeliverDocumentInput
from workflows.policies import platform_retry

__all__ = ["Config", "main", "run_outage"]

PLATFORM = "vneid"  # the simulator's account platform that hoso's account queue calls
BACKOFF = platform_retry([])  # the production retry policy of the platform calls
START_CONCURRENCY = 50
START_TIMEOUT_S = 120
ELECTRONIC_ACTIVITY = "send_electronic_delivery"


@dataclass(frozen=True)
class Config:
    deliveries: int = 5000
    capacity: float = 50.0
    """Deliveries per second the simulated platform accepts (beyond: 503 busy)."""
    rate_limit: float | None = None
    """The account task queue's server-side rate limit; None: the capacity."""
    outage_attempts: int | None = None
    """Refusals per delivery before the outage may end; None: the first capped attempt + 1."""
    quiet_s: float = 10.0
    max_outage_s: float = 3600.0
    drain_timeout_s: float | None = None
    """None: one backoff cap + 3 × N / capacity + 5 minutes."""
    release: bool = False
    """At the end of the outage, reset every waiting electronic-delivery activity (Temporal's
    ResetActivity, as an operator could), so the backlog starts at once, limited only by the
    queue's rate limit, instead of on its retry timers."""
    keep: bool = False


def backoff_offsets(horizon_s: float) -> list[float]:
    """When each attempt starts after the first, by the production retry policy alone (no
    queueing, no rate limit): 0, 10, 30, 70, 150, 310, 630, 1230, … up to ``horizon_s``."""
    initial = BACKOFF.initial_interval.total_seconds()
    cap = BACKOFF.maximum_interval.total_seconds()
    offsets, at, interval = [0.0], 0.0, initial
    while at + min(interval, cap) <= horizon_s:
        at += min(interval, cap)
        offsets.append(at)
        interval *= BACKOFF.backoff_coefficient
    return offsets


def attempts_until_capped() -> int:
    """The attempt after which every interval is the cap (7: 10, 20, … 320 s, then 600 s)."""
    initial = BACKOFF.initial_interval.total_seconds()
    cap = BACKOFF.maximum_interval.total_seconds()
    attempt, interval = 1, initial
    while interval < cap:
        attempt += 1
        interval *= BACKOFF.backoff_coefficient
    return attempt


@dataclass
class Sample:
    wall: float  # time.time()
    phase: str
    cpu: dict[str, float]
    rss_mib: dict[str, float]
    refused_down: int
    refused_busy: int
    accepted: int
    busy_jiffies: int
    total_jiffies: int
    bench_cpu: float


class Bench:
    def __init__(self, config: Config, tmp: Path) -> None:
        self.config = config
        self.n = config.deliveries
        self.rate_limit = config.rate_limit or config.capacity
        self.tmp = tmp
        self.logs = tmp / "logs"
        self.logs.mkdir(parents=True)
        self.sim_state = tmp / "platforms"
        self.temporal_address = f"127.0.0.1:{free_port()}"
        self.api_port, self.sim_port = free_port(), free_port()
        self.sim_url = f"http://127.0.0.1:{self.sim_port}"
        self.settings = Settings(
            data_dir=tmp / "data",
            database_url="",
            blob_dir=None,
            temporal_address=self.temporal_address,
            api_host="127.0.0.1",
            api_port=self.api_port,
            platforms_url=self.sim_url,
            platform_rate_limits={"account": self.rate_limit},
        )
        # only this benchmark's settings reach the children, never the caller's HOSO_*
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("HOSO_")}
        env = {
            **inherited,
            "HOSO_DATA_DIR": str(self.settings.data_dir),
            "HOSO_TEMPORAL_ADDRESS": self.temporal_address,
            "HOSO_API_HOST": "127.0.0.1",
            "HOSO_API_PORT": str(self.api_port),
            "HOSO_PLATFORMS_URL": self.sim_url,
            "HOSO_PLATFORM_RATE_LIMITS": json.dumps({"account": self.rate_limit}),
            "HOSO_SIM_WEBHOOK_SECRET": self.settings.platform_webhook_secret,
        }
        self.processes = Processes(self.logs, env)
        self.samples: list[Sample] = []
        self.marks: dict[str, float] = {}
        self.workflow_ids: list[str] = []
        self.accounts: list[str] = []
        self.release_errors: dict[str, int] = {}

    # --- set-up ---------------------------------------------------------------------------

    async def set_up(self) -> None:
        started = time.time()
        migrate_and_load_demo(self.processes.env, self.logs / "setup.log")
        # generated before the worker starts, as `hoso dev` does (TEST ONLY keys)
        DemoPKI.ensure(self.settings.pki_dir)
        ensure_signature_font(default_font_cache_dir(self.settings.pki_dir))
        self.recipients = await asyncio.to_thread(create_recipients, self.settings, self.n)
        await asyncio.to_thread(seed_accounts, self.sim_state, self.n)
        self.marks["data_ready"] = time.time()
        out(
            f"data: case {self.recipients.case_code}, {self.n} recipients in "
            f"{self.marks['data_ready'] - started:.0f} s"
        )

        temporal = self.processes.start(
            "temporal", temporal_command(self.temporal_address, self.tmp / "temporal.db")
        )
        health = [str(temporal_binary()), "operator", "cluster", "health"]
        wait_until(
            lambda: (
                temporal.alive()
                and subprocess.run(
                    [*health, "--address", self.temporal_address], capture_output=True
                ).returncode
                == 0
            ),
            timeout=START_TIMEOUT_S,
            what="Temporal dev server",
        )
        webhook_url = f"http://127.0.0.1:{self.api_port}/api/v1/platform-webhooks/{{platform}}"
        self.processes.start(
            "simulator",
            [
                *(sys.executable, "-m", "platforms", "--state-dir", str(self.sim_state)),
                *("--port", str(self.sim_port), "--webhook-url", webhook_url),
            ],
        )
        self.http = httpx.AsyncClient(base_url=self.sim_url, timeout=30, trust_env=False)
        wait_until(
            lambda: httpx.get(f"{self.sim_url}/control/state", timeout=2).status_code == 200,
            timeout=START_TIMEOUT_S,
            what="simulator",
        )
        capacity = await self.http.put(
            f"/control/capacity/{PLATFORM}", json={"per_second": self.config.capacity}
        )
        capacity.raise_for_status()
        outage = await self.http.put(
            f"/control/outages/{PLATFORM}", json={"down_for_seconds": 7 * 86400}
        )
        outage.raise_for_status()
        self.marks["outage_start"] = time.time()

        api = self.processes.hoso("api", "serve")
        self.processes.hoso("worker-casefile", "worker", "--queue", "casefile")
        self.processes.hoso("worker-account", "worker", "--queue", "account")
        wait_until(
            lambda: (
                api.alive()
                and httpx.get(f"http://127.0.0.1:{self.api_port}/api/v1/health").status_code == 200
            ),
            timeout=START_TIMEOUT_S,
            what="API",
        )
        for child in self.processes.children:
            if child.name.startswith("worker"):
                wait_until(
                    lambda child=child: "worker polling" in child.log.read_text(errors="replace"),
                    timeout=START_TIMEOUT_S,
                    what=child.name,
                )
        self.processes.check_alive()
        self.marks["stack_ready"] = time.time()
        out(
            f"stack ready in {self.marks['stack_ready'] - self.marks['data_ready']:.0f} s "
            f"(logs {self.logs})"
        )

    async def start_workflows(self) -> None:
        self.client = await connect(self.temporal_address, self.settings.temporal_namespace)
        queue = self.settings.task_queue
        gate = asyncio.Semaphore(START_CONCURRENCY)
        recipients = self.recipients

        async def start(party_code: str, account: str) -> None:
            request_id = f"bench-outage:{party_code}"
            workflow_id = deliver_document_workflow_id(queue, request_id)
            async with gate:
                await self.client.start_workflow(
                    DeliverDocumentWorkflow.run,
                    DeliverDocumentInput(
                        request_id=request_id,
                        actor_id=recipients.actor_id,
                        case_code=recipients.case_code,
                        document_code=recipients.document_code,
                        party_code=party_code,
                        recipient=RecipientFacts(
                            account=account, account_status=AccountStatus.ACTIVE
                        ),
                        policy=DeliveryPolicy(),  # electronic limit: 3 days
                    ),
                    id=workflow_id,
                    task_queue=queue,
                )
            self.workflow_ids.append(workflow_id)
            self.accounts.append(account)

        self.marks["starts_begin"] = time.time()
        sampler = asyncio.create_task(self._sample_every_second("starting"))
        try:
            await asyncio.gather(*(start(code, account) for code, account in recipients.parties))
        finally:
            sampler.cancel()
        self.marks["starts_end"] = time.time()
        out(
            f"{self.n} workflows started in "
            f"{self.marks['starts_end'] - self.marks['starts_begin']:.1f} s"
        )

    # --- sampling ---------------------------------------------------------------------------

    async def sample(self, phase: str) -> Sample:
        self.processes.check_alive()
        state = (await self.http.get("/control/state")).json()
        refused = state["refusals"].get(PLATFORM, {})
        busy, total = busy_ticks()
        sample = Sample(
            wall=time.time(),
            phase=phase,
            cpu=self.processes.cpu(),
            rss_mib=self.processes.rss(),
            refused_down=refused.get("platform_down", 0),
            refused_busy=refused.get("platform_busy", 0),
            accepted=state["calls"],
            busy_jiffies=busy,
            total_jiffies=total,
            bench_cpu=time.process_time(),
        )
        self.samples.append(sample)
        return sample

    async def _sample_every_second(self, phase: str) -> None:
        while True:
            await self.sample(phase)
            await asyncio.sleep(1)

    # --- the outage and the drain -----------------------------------------------------------

    async def wait_through_outage(self) -> None:
        attempts = self.config.outage_attempts or attempts_until_capped() + 1
        last_change, last_refused, last_print = time.time(), -1, 0.0
        while True:
            sample = await self.sample("waiting")
            if sample.refused_down != last_refused:
                last_change, last_refused = sample.wall, sample.refused_down
            if "capped" not in self.marks and sample.refused_down >= attempts_until_capped() * (
                self.n
            ):
                self.marks["capped"] = sample.wall  # every delivery now retries at the cap
            enough = sample.refused_down >= attempts * self.n
            quiet = sample.wall - last_change >= self.config.quiet_s
            elapsed = sample.wall - self.marks["outage_start"]
            if (enough and quiet) or elapsed >= self.config.max_outage_s:
                break
            if sample.wall - last_print >= 30:
                last_print = sample.wall
                out(
                    f"  outage {elapsed:5.0f} s: {sample.refused_down} calls refused "
                    f"({sample.refused_down / self.n:.2f} per delivery)"
                )
            await asyncio.sleep(1)
        response = await self.http.delete(f"/control/outages/{PLATFORM}")
        response.raise_for_status()
        self.marks["outage_end"] = time.time()
        out(f"outage ended after {self.marks['outage_end'] - self.marks['outage_start']:.0f} s")
        if self.config.release:
            await self.release_backlog()

    async def release_backlog(self) -> None:
        """Reset each workflow's waiting platform call: it leaves its backoff and starts now."""
        gate = asyncio.Semaphore(START_CONCURRENCY)
        errors: dict[str, int] = {}

        async def reset(workflow_id: str) -> None:
            async with gate:
                try:
                    await self.client.workflow_service.reset_activity(
                        ResetActivityRequest(
                            namespace=self.settings.temporal_namespace,
                            execution=WorkflowExecution(workflow_id=workflow_id),
                            type=ELECTRONIC_ACTIVITY,
                            identity="bench-outage",
                        )
                    )
                except RPCError as exc:
                    errors[exc.status.name] = errors.get(exc.status.name, 0) + 1

        await asyncio.gather(*(reset(w) for w in self.workflow_ids))
        self.marks["released"] = time.time()
        self.release_errors = errors
        out(
            f"released the backlog in {self.marks['released'] - self.marks['outage_end']:.1f} s"
            f" (errors: {errors or 'none'})"
        )

    async def drain(self) -> None:
        cap = BACKOFF.maximum_interval.total_seconds()
        timeout = self.config.drain_timeout_s or cap + 3 * self.n / self.config.capacity + 300
        deadline = time.time() + timeout
        last_print = 0.0
        while True:
            sample = await self.sample("drain")
            if sample.accepted >= self.n:
                self.marks["all_accepted"] = sample.wall
                break
            if sample.wall > deadline:
                out(f"drain: only {sample.accepted} of {self.n} accepted after {timeout:.0f} s")
                break
            if sample.wall - last_print >= 30:
                last_print = sample.wall
                out(
                    f"  {sample.wall - self.marks['outage_end']:5.0f} s after the outage: "
                    f"{sample.accepted} accepted"
                )
            await asyncio.sleep(1)
        query = 'WorkflowType = "DeliverDocumentWorkflow" AND ExecutionStatus = "Running"'
        deadline = time.time() + max(300.0, self.n / 10)
        while time.time() < deadline:
            await self.sample("completing")
            if (await self.client.count_workflows(query)).count == 0:
                self.marks["all_completed"] = time.time()
                break
            await asyncio.sleep(2)

    # --- checks -----------------------------------------------------------------------------

    def simulator_deliveries(self) -> list[dict[str, Any]]:
        """Every delivery the simulator accepted, read from its state file (read-only)."""
        uri = f"file:{self.sim_state / STATE_FILE}?mode=ro"
        with sqlite3.connect(uri, uri=True) as db:
            rows = db.execute(
                "SELECT c.idempotency_key, c.accepted_at, c.replays, s.data FROM calls c"
                " JOIN subjects s ON s.id = c.subject_id"
                " WHERE c.platform = ? AND c.operation = 'deliveries.create' ORDER BY c.seq",
                (PLATFORM,),
            ).fetchall()
        return [
            {
                "key": key,
                "accepted_at": datetime.fromisoformat(accepted_at.replace("Z", "+00:00")),
                "replays": replays,
                "account": json.loads(data)["account"],
            }
            for key, accepted_at, replays, data in rows
        ]

    async def workflow_statuses(self) -> dict[str, int]:
        gate = asyncio.Semaphore(START_CONCURRENCY)
        counts: dict[str, int] = {}

        async def status(workflow_id: str) -> None:
            async with gate:
                try:
                    handle = self.client.get_workflow_handle_for(
                        DeliverDocumentWorkflow.run, workflow_id
                    )
                    result = await handle.result()
                    key = result.status.value
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    key = f"error: {type(exc).__name__}"
            counts[key] = counts.get(key, 0) + 1

        await asyncio.wait_for(asyncio.gather(*(status(w) for w in self.workflow_ids)), timeout=600)
        return counts

    def recipient_statuses(self) -> dict[str, int]:
        engine = make_engine(self.settings.effective_database_url)
        with engine.connect() as db:
            rows = db.execute(
                text("SELECT status, count(*) FROM document_recipients GROUP BY status")
            ).all()
        engine.dispose()
        return {status: count for status, count in rows}

    async def check(self) -> dict[str, Any]:
        deliveries = self.simulator_deliveries()
        expected = {electronic_idempotency_key(w) for w in self.workflow_ids}
        keys = [d["key"] for d in deliveries]
        by_account: dict[str, int] = {}
        for delivery in deliveries:
            by_account[delivery["account"]] = by_account.get(delivery["account"], 0) + 1
        state = (await self.http.get("/control/state")).json()
        self.deliveries = deliveries
        return {
            "accepted": len(deliveries),
            "lost": len(expected - set(keys)),
            "unexpected": len(set(keys) - expected),
            "duplicate_keys": len(keys) - len(set(keys)),
            "accounts_with_more_than_one": sum(1 for c in by_account.values() if c > 1),
            "accounts_without": len(set(self.accounts) - set(by_account)),
            "replayed_calls": sum(d["replays"] for d in deliveries),
            "webhooks": state["webhooks"],
            "workflows": await self.workflow_statuses(),
            "recipients_in_hoso": await asyncio.to_thread(self.recipient_statuses),
        }


# --- analysis ---------------------------------------------------------------------------------


def _at(samples: list[Sample], wall: float) -> Sample:
    """The last sample taken at or before ``wall`` (the first one if none)."""
    chosen = samples[0]
    for sample in samples:
        if sample.wall > wall:
            break
        chosen = sample
    return chosen


def window(samples: list[Sample], begin: float, end: float) -> dict[str, Any]:
    """CPU seconds per process, attempts and the machine's other load between two instants."""
    first, last = _at(samples, begin), _at(samples, end)
    seconds = max(1e-9, last.wall - first.wall)
    cpu = {name: last.cpu[name] - first.cpu[name] for name in first.cpu}
    inside = [s for s in samples if first.wall <= s.wall <= last.wall]
    ours = sum(cpu.values()) + last.bench_cpu - first.bench_cpu
    machine = (last.busy_jiffies - first.busy_jiffies) / max(
        1, last.total_jiffies - first.total_jiffies
    )
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "cpu_share": {name: value / seconds for name, value in cpu.items()},
        "rss_max_mib": {
            name: max(s.rss_mib.get(name, 0.0) for s in inside) for name in first.rss_mib
        },
        "rss_end_mib": last.rss_mib,
        "refused_down": last.refused_down - first.refused_down,
        "refused_busy": last.refused_busy - first.refused_busy,
        "other_load_cpus": max(0.0, machine * (os.cpu_count() or 1) - ours / seconds),
    }


def analyse(bench: Bench, checks: dict[str, Any]) -> dict[str, Any]:
    samples, marks, n = bench.samples, bench.marks, bench.n
    cap = BACKOFF.maximum_interval.total_seconds()
    end = marks["outage_end"]
    waiting = window(samples, marks["starts_end"], end)
    capped = window(samples, marks["capped"], end) if "capped" in marks else None
    # the retry schedule alone: how many attempts each delivery would have made by the end of
    # the outage, counted from its workflow start (an upper bound: queueing only delays)
    implied_total = n * len(backoff_offsets(end - marks["starts_begin"]))
    accepted = sorted(d["accepted_at"].timestamp() for d in bench.deliveries)
    drain: dict[str, Any] = {}
    if accepted:
        first, last = accepted[0], accepted[-1]
        span = max(1e-9, last - first)
        low, high = (
            accepted[int(0.05 * (len(accepted) - 1))],
            accepted[int(0.95 * (len(accepted) - 1))],
        )
        drain = {
            "recovery_latency_s": first - end,
            "drain_s": span,
            "rate_per_s": (len(accepted) - 1) / span,
            "rate_5_95_per_s": 0.9 * (len(accepted) - 1) / max(1e-9, high - low),
            "capacity_per_s": bench.config.capacity,
            "ratio": (len(accepted) - 1) / span / bench.config.capacity,
            "ratio_5_95": 0.9 * (len(accepted) - 1) / max(1e-9, high - low) / bench.config.capacity,
            "all_completed_after_outage_s": (marks["all_completed"] - end)
            if "all_completed" in marks
            else None,
            "window": window(samples, end, marks.get("all_completed", samples[-1].wall)),
        }
    return {
        "deliveries": n,
        "capacity_per_s": bench.config.capacity,
        "rate_limit_per_s": bench.rate_limit,
        "released": bench.config.release,
        "release_errors": bench.release_errors,
        "release_s": marks["released"] - end if "released" in marks else None,
        "backoff": {
            "initial_s": BACKOFF.initial_interval.total_seconds(),
            "coefficient": BACKOFF.backoff_coefficient,
            "cap_s": cap,
            "attempts_until_capped": attempts_until_capped(),
        },
        "phases_s": {
            "data": marks["data_ready"] - marks.get("setup_begin", marks["data_ready"]),
            "starts": marks["starts_end"] - marks["starts_begin"],
            "outage": end - marks["outage_start"],
            "waiting": end - marks["starts_end"],
            "capped": end - marks["capped"] if "capped" in marks else None,
        },
        "waiting": waiting,
        "capped": capped,
        "attempts": {
            "refused_total": samples[-1].refused_down,
            "implied_total_upper_bound": implied_total,
            "per_delivery": samples[-1].refused_down / n,
            "capped_implied": n * capped["seconds"] / cap if capped else None,
            "busy_refusals_total": samples[-1].refused_busy,
        },
        "drain": drain,
        "checks": checks,
    }


async def run_outage(config: Config) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="hoso-bench-outage-"))
    bench = Bench(config, tmp)
    bench.marks["setup_begin"] = time.time()
    try:
        await bench.set_up()
        await bench.start_workflows()
        await bench.wait_through_outage()
        await bench.drain()
        checks = await bench.check()
        result = analyse(bench, checks)
        # each refused attempt is logged by the worker (a traceback at WARNING): that is work
        result["log_bytes"] = {log.stem: log.stat().st_size for log in bench.logs.glob("*.log")}
        result["samples"] = [asdict(s) for s in bench.samples]
        return result
    finally:
        if hasattr(bench, "http"):
            await bench.http.aclose()
        codes = await asyncio.to_thread(bench.processes.stop)
        out(f"stopped: {codes}")
        if config.keep:
            out(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


# --- output -------------------------------------------------------------------------------------


def _cpu_line(name: str, w: dict[str, Any]) -> str:
    parts = [f"{p} {s:.1f} s ({100 * w['cpu_share'][p]:.1f} %)" for p, s in w["cpu_s"].items()]
    return f"{name} ({w['seconds']:.0f} s): " + ", ".join(parts)


def report(result: dict[str, Any]) -> None:
    n, attempts, drain, checks = (
        result["deliveries"],
        result["attempts"],
        result["drain"],
        result["checks"],
    )
    out(
        f"{n} deliveries, {'released' if result['released'] else 'on retry timers'}, "
        f"capacity {result['capacity_per_s']:g}/s, "
        f"account queue rate limit {result['rate_limit_per_s']:g}/s, backoff {result['backoff']}"
    )
    out(
        "phases (s): "
        + ", ".join(f"{k} {v:.0f}" for k, v in result["phases_s"].items() if v is not None)
    )
    for name in ("waiting", "capped"):
        w = result[name]
        if w is None:
            continue
        out(_cpu_line(f"CPU while {name}", w))
        out("  RSS max MiB: " + ", ".join(f"{p} {v:.0f}" for p, v in w["rss_max_mib"].items()))
        out(
            f"  refused calls {w['refused_down']} (busy {w['refused_busy']}); other load "
            f"{w['other_load_cpus']:.2f} CPUs"
        )
    out(
        f"attempts refused in the outage: {attempts['refused_total']} "
        f"({attempts['per_delivery']:.2f} per delivery; the backoff alone allows at most "
        f"{attempts['implied_total_upper_bound']}); at the cap: "
        f"{result['capped']['refused_down'] if result['capped'] else '-'} against "
        f"{attempts['capped_implied'] or 0:.0f} implied (N × window / cap)"
    )
    if drain:
        out(
            f"recovery latency {drain['recovery_latency_s']:.1f} s; drain {drain['drain_s']:.1f} s "
            f"= {drain['rate_per_s']:.1f}/s ({100 * drain['ratio']:.0f} % of capacity; "
            f"5–95 %: {drain['rate_5_95_per_s']:.1f}/s, {100 * drain['ratio_5_95']:.0f} %); "
            f"all workflows done {drain['all_completed_after_outage_s'] or 0:.0f} s after the "
            "outage"
        )
        out(_cpu_line("CPU during drain and completion", drain["window"]))
    logs = result.get("log_bytes", {})
    out(
        "log bytes: "
        + ", ".join(f"{name} {size}" for name, size in logs.items())
        + f" ({logs.get('worker-account', 0) / max(1, attempts['refused_total']):.0f} bytes "
        "of the account worker's log per refused attempt)"
    )
    out("checks: " + json.dumps(checks, ensure_ascii=False))


def _machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5000, help="deliveries (default 5000)")
    parser.add_argument("--capacity", type=float, default=50.0, help="platform calls/s (50)")
    parser.add_argument("--rate-limit", type=float, help="account queue rate (default: capacity)")
    parser.add_argument(
        "--outage-attempts",
        type=int,
        help="refusals per delivery before the outage may end (default: first capped + 1 = 8)",
    )
    parser.add_argument("--quiet", type=float, default=10.0, help="seconds without a call")
    parser.add_argument("--max-outage", type=float, default=3600.0, help="seconds (3600)")
    parser.add_argument(
        "--release",
        action="store_true",
        help="at the end of the outage reset the waiting activities (start now, not on timers)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    args = parser.parse_args(argv)
    config = Config(
        deliveries=args.n,
        capacity=args.capacity,
        rate_limit=args.rate_limit,
        outage_attempts=args.outage_attempts,
        quiet_s=args.quiet,
        max_outage_s=args.max_outage,
        release=args.release,
        keep=args.keep,
    )
    started = datetime.now(UTC)
    out(f"{started:%Y-%m-%d %H:%M} UTC, {_machine()}")
    result = asyncio.run(run_outage(config))
    report(result)
    if args.json:
        result["started"] = started.isoformat()
        result["machine"] = _machine()
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return 0
