"""The simulator as a real process: SIGKILLed and restarted, it loses nothing.

A delivery is accepted while hoso's webhook endpoint refuses everything; the simulator is
killed with the "delivered" webhook pending, restarted on the same state directory, and
resumes sending: the receiver gets every event exactly once, the call log holds exactly
one delivery, and the same Idempotency-Key still returns the same delivery.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from platforms.simulator import derive_platform_secret, verify_signature
from tests.platforms.helpers import ACTIVE, delivery_body

REPO = Path(__file__).resolve().parents[2]
SECRET = "restart-test-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Receiver:
    """A tiny webhook endpoint on 127.0.0.1 that refuses until ``accepting`` is set."""

    def __init__(self) -> None:
        self.accepting = threading.Event()
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.refused = 0
        self.refused_event_ids: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.accepting.is_set():
                    receiver.received.append((dict(self.headers), body))
                    self.send_response(204)
                else:
                    receiver.refused += 1
                    receiver.refused_event_ids.append(self.headers["X-Hoso-Event-Id"])
                    self.send_response(503)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    receiver = _Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _wait(probe: Callable[[], Any], *, timeout: float = 15, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = probe()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _start(state_dir: Path, port: int, webhook_port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HOSO_SIM_WEBHOOK_SECRET": SECRET}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "platforms",
            "--state-dir",
            str(state_dir),
            "--port",
            str(port),
            "--webhook-url",
            f"http://127.0.0.1:{webhook_port}/hooks/{{platform}}",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, trust_env=False) as http:
        _wait(lambda: http.get("/control/state").status_code == 200, what="simulator")
    return process


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


@pytest.mark.slow
def test_restart_after_sigkill_resumes_pending_webhooks(
    tmp_path: Path, receiver: _Receiver
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = _start(tmp_path / "sim", port, receiver.port)
    http = httpx.Client(base_url=base, trust_env=False, timeout=10)
    try:
        http.put(
            f"/control/accounts/{ACTIVE}",
            json={
                "delivered_after_seconds": 0,
                "opened_after_seconds": 0.2,
                "confirmed_after_seconds": 0.4,
            },
        ).raise_for_status()
        headers = {"Idempotency-Key": "deliver-document:wf-1:act-3"}
        first = http.post("/vneid/deliveries", json=delivery_body(), headers=headers)
        delivery_id = first.json()["delivery_id"]
        _wait(lambda: receiver.refused >= 1, what="a refused webhook")
        _kill(process)

        receiver.accepting.set()
        process = _start(tmp_path / "sim", port, receiver.port)
        _wait(lambda: len(receiver.received) >= 3, what="the resumed webhooks")
        time.sleep(0.3)  # nothing more may arrive
        again = http.post("/vneid/deliveries", json=delivery_body(), headers=headers)
        status = http.get(f"/vneid/deliveries/{delivery_id}").json()
        log = http.get("/control/log").json()["calls"]
    finally:
        http.close()
        _kill(process)

    assert first.status_code == 202
    assert again.status_code == 202
    assert again.json()["delivery_id"] == delivery_id
    assert [(c["operation"], c["subject_id"]) for c in log] == [("deliveries.create", delivery_id)]
    secret = derive_platform_secret(SECRET.encode(), "vneid")
    payloads = []
    for headers_seen, body in receiver.received:
        assert verify_signature(secret, body, headers_seen["X-Hoso-Signature"])
        payloads.append(json.loads(body))
    assert [p["event_type"] for p in payloads] == ["delivered", "opened", "confirmed"]
    assert len({p["event_id"] for p in payloads}) == 3
    # the event refused before the kill is the one delivered after the restart (same id);
    # its attempt counter may predate the kill, since SIGKILL can land before it is saved
    assert receiver.refused_event_ids[0] == payloads[0]["event_id"]
    assert status["status"] == "confirmed"
    assert [e["webhook"]["state"] for e in status["events"]] == ["sent"] * 3
