"""`make run` itself: the whole embedded stack comes up, serves a case, and stops cleanly."""

import json
import os
import signal
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from casefile.filecodes import parse_case_code
from casefile.settings import Settings
from statusdb.contract import agency_key, signed_headers
from tests.helpers import assert_eventually

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
async def test_make_run_serves_a_case_and_stops_every_child_on_ctrl_c(tmp_path: Path) -> None:
    api_port, temporal_port, ui_port = _free_port(), _free_port(), _free_port()
    platforms_port, statusdb_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "HOSO_DATA_DIR": str(tmp_path / "data"),
        "HOSO_API_PORT": str(api_port),
        "HOSO_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "HOSO_TEMPORAL_UI_PORT": str(ui_port),
        "HOSO_PLATFORMS_URL": f"http://127.0.0.1:{platforms_port}",
        "HOSO_STATUSDB_URL": f"http://127.0.0.1:{statusdb_port}",
    }
    log = open(tmp_path / "make-run.log", "wb")  # noqa: SIM115
    make = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{api_port}/api/v1"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:

            async def healthy() -> bool:
                if make.poll() is not None:
                    raise AssertionError((tmp_path / "make-run.log").read_text())
                try:
                    return (await http.get("/health")).status_code == 200
                except httpx.HTTPError:
                    return False

            await assert_eventually(healthy, timeout=180, interval=0.5)

            async def announced() -> str:
                output = (tmp_path / "make-run.log").read_text()
                return output if "dtv.an" in output else ""

            output = await assert_eventually(announced)

            async def simulator_up() -> bool:
                state = await http.get(f"http://127.0.0.1:{platforms_port}/control/state")
                return state.status_code == 200

            await assert_eventually(simulator_up)
            assert f"http://127.0.0.1:{ui_port}" in output and "hoso is running" in output
            tokens = json.loads((tmp_path / "data" / "demo-tokens.json").read_text())
            response = await http.post(
                "/cases",
                json={"agency_code": "CSDTHN", "title": "Vụ trộm cắp tài sản tại chợ Đồng Xuân"},
                headers={"Authorization": f"Bearer {tokens['dtv.an']}"},
            )
            assert response.status_code == 201, response.text
            code = response.json()["code"]
            parse_case_code(code)

            async def opened_at_the_common_database() -> bool:
                # the relay published the outbox row of the opening (art. 18(4))
                target = f"/api/v1/cases/{code}/statuses"
                key = agency_key(Settings().statusdb_secret.encode(), "CSDTHN")
                headers = signed_headers(
                    key,
                    agency_code="CSDTHN",
                    method="GET",
                    target=target,
                    body=b"",
                    now=datetime.now(UTC),
                )
                try:
                    answer = await http.get(
                        f"http://127.0.0.1:{statusdb_port}{target}", headers=headers
                    )
                except httpx.HTTPError:
                    return False
                statuses = answer.json().get("statuses", []) if answer.status_code == 200 else []
                return [s["status"] for s in statuses] == ["opened"]

            await assert_eventually(opened_at_the_common_database, timeout=30)

        client = await Client.connect(f"127.0.0.1:{temporal_port}")

        async def completed() -> list:
            query = f'CaseCode = "{code}" AND ExecutionStatus = "Completed"'
            return [w async for w in client.list_workflows(query)]

        assert len(await assert_eventually(completed)) == 1
    finally:
        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        make.wait(timeout=90)
        log.close()

    def all_ports_closed() -> bool:
        ports = (api_port, temporal_port, ui_port, platforms_port, statusdb_port)
        return not any(_port_open(p) for p in ports)

    deadline = time.monotonic() + 30
    while not all_ports_closed() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert all_ports_closed()
    output = (tmp_path / "make-run.log").read_text()
    for child in ("api", "status-relay", "worker", "statusdb", "platforms", "temporal"):
        assert f"stopped {child}" in output
