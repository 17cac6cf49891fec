"""Crash recovery on the real Temporal dev server, with the platform simulator as a real
process (127.0.0.1, a free port, a state directory of the test's).

- The worker (``python -m hoso.cli worker``) is SIGKILLed while its vneid call is in flight
  and a new worker process finishes the delivery: the simulator accepts exactly one delivery
  (the retry reuses the Idempotency-Key and is answered as a replay), the receipt completes
  it, and the recipient ends ``delivered_electronic`` — a real end-to-end delivery.
- The simulator is SIGKILLed while a publication of a PublicNotification is in flight and
  restarted on the same state directory: the activity's retry publishes, every
  ``(platform, idempotency key)`` is accepted once, and no day counts as interrupted.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.protobuf.duration_pb2 import Duration
from google.protobuf.field_mask_pb2 import FieldMask
from temporalio.api.activity.v1 import ActivityOptions
from temporalio.api.common.v1 import RetryPolicy, WorkflowExecution
from temporalio.api.enums.v1 import EventType, PendingActivityState
from temporalio.api.workflowservice.v1 import UpdateActivityOptionsRequest
from temporalio.client import Client, WorkflowHandle

from casefile.blobstore import FileBlobStore
from casefile.db import transaction
from casefile.delivery import DeliveryPolicy, RecipientStatus, Route
from casefile.legaltime import LegalCalendar
from casefile.notification import Channel, Form
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from tests.casefile.test_notification_rules import CONTENT
from tests.conftest import Database
from tests.factories import add_document, add_party, create_case
from tests.helpers import assert_eventually
from tests.workflows.test_deliver_document import ACTIVE, _recipient_status, _request
from worker import build_workers, running
from workflows import deliver_document_workflow_id
from workflows.deliver_document import DeliverDocumentWorkflow
from workflows.io import PlatformReceipt, PublicNotificationInput
from workflows.notify_publicly import PublicNotificationWorkflow

REPO = Path(__file__).resolve().parents[2]
NATIONAL_ID = "001090000001"  # seeded in the simulator, with the active account TK001090000001


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _kill(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGKILL)
    if process is not None:
        process.wait(timeout=10)


class _Simulator:
    """``python -m platforms`` on a free port; killed and restarted on the same state dir."""

    def __init__(self, state_dir: Path, log: Path) -> None:
        self.state_dir = state_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "platforms",
                    "--state-dir",
                    str(self.state_dir),
                    "--port",
                    str(self.port),
                ],
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        async with httpx.AsyncClient(base_url=self.url, trust_env=False, timeout=2) as http:

            async def ready() -> bool:
                assert self.process is not None and self.process.poll() is None, "sim died"
                try:
                    return (await http.get("/control/state")).status_code == 200
                except httpx.HTTPError:
                    return False

            await assert_eventually(ready, timeout=20, interval=0.05)

    def kill(self) -> None:
        _kill(self.process)


@asynccontextmanager
async def _simulator(tmp_path: Path) -> AsyncIterator[tuple[_Simulator, httpx.AsyncClient]]:
    simulator = _Simulator(tmp_path / "sim", tmp_path / "simulator.log")
    try:
        await simulator.start()
        async with httpx.AsyncClient(
            base_url=simulator.url, trust_env=False, timeout=10
        ) as control:
            yield simulator, control
    finally:
        simulator.kill()


def _start_worker(settings: Settings, temporal: Client, platforms_url: str, log: Path):
    env = {
        **os.environ,
        "HOSO_DATABASE_URL": settings.database_url,
        "HOSO_DATA_DIR": str(settings.data_dir),
        "HOSO_BLOB_DIR": str(settings.effective_blob_dir),
        "HOSO_TEMPORAL_ADDRESS": temporal.service_client.config.target_host,
        "HOSO_TASK_QUEUE": settings.task_queue,
        "HOSO_PLATFORMS_URL": platforms_url,
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "hoso.cli", "worker"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def _pending_activity(handle: WorkflowHandle, name: str) -> Any:
    description = await handle.describe()
    for pending in description.raw_description.pending_activities:
        if pending.activity_type.name == name:
            return pending
    return None


async def _accepted(control: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    response = await control.get("/control/log", params=params)
    response.raise_for_status()
    return response.json()["calls"]


async def _attempts(handle: WorkflowHandle, name: str) -> list[int]:
    """The attempt of each started event of the activity (one per completed activity)."""
    attempts = []
    scheduled: set[int] = set()
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            if event.activity_task_scheduled_event_attributes.activity_type.name == name:
                scheduled.add(event.event_id)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            if started.scheduled_event_id in scheduled:
                attempts.append(started.attempt)
    return attempts


@pytest.mark.slow
@pytest.mark.usefixtures("demo_tokens")
async def test_worker_sigkilled_mid_delivery_restarts_and_delivers_exactly_once(
    temporal: Client,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
    tmp_path: Path,
) -> None:
    request = _request(database, blobs, ACTIVE).model_copy(
        update={"policy": DeliveryPolicy(electronic_limit=timedelta(minutes=10))}
    )
    workflow_id = deliver_document_workflow_id(settings.task_queue, request.request_id)
    key = f"{workflow_id}:electronic"
    worker_log = tmp_path / "worker.log"
    first = second = None
    handle = None
    async with _simulator(tmp_path) as (simulator, control):
        try:
            # the vneid call stays in flight for 3 s: the worker dies in the middle of it
            outage = await control.put("/control/outages/vneid", json={"latency_ms": 3000})
            outage.raise_for_status()
            first = _start_worker(settings, temporal, simulator.url, worker_log)
            handle = await temporal.start_workflow(
                DeliverDocumentWorkflow.run,
                request,
                id=workflow_id,
                task_queue=settings.task_queue,
            )

            async def sending() -> Any:
                pending = await _pending_activity(handle, "send_electronic_delivery")
                started = PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
                return pending if pending is not None and pending.state == started else None

            pending = await assert_eventually(sending, timeout=30, interval=0.05)
            await asyncio.sleep(1.0)  # the request has reached the simulator, its reply not
            assert first.poll() is None, worker_log.read_text()
            _kill(first)
            assert await _accepted(control, platform="vneid") == []  # still in flight
            await control.delete("/control/outages/vneid")

            # the lost attempt is retried only after its start-to-close timeout (2 minutes in
            # the workflow), then after 10 s of backoff: shorten both, as an operator would
            await temporal.workflow_service.update_activity_options(
                UpdateActivityOptionsRequest(
                    namespace=temporal.namespace,
                    execution=WorkflowExecution(workflow_id=handle.id),
                    id=pending.activity_id,
                    activity_options=ActivityOptions(
                        start_to_close_timeout=Duration(seconds=2),
                        retry_policy=RetryPolicy(initial_interval=Duration(seconds=1)),
                    ),
                    update_mask=FieldMask(
                        paths=["start_to_close_timeout", "retry_policy.initial_interval"]
                    ),
                    identity="test_crash_recovery",
                )
            )

            second = _start_worker(settings, temporal, simulator.url, worker_log)

            async def awaiting_receipt() -> Any:
                status = await handle.query(DeliverDocumentWorkflow.status)
                return status if status.awaiting == "platform_receipt" else None

            status = await assert_eventually(awaiting_receipt, timeout=40, interval=0.2)
            assert status.electronic_idempotency_key == key
            # what the webhook route does on the simulator's "delivered" event
            await handle.signal(
                DeliverDocumentWorkflow.platform_receipt,
                PlatformReceipt(kind="delivered", at=datetime.now(UTC), idempotency_key=key),
            )
            result = await asyncio.wait_for(handle.result(), timeout=30)
            calls = await _accepted(control, platform="vneid")
        finally:
            _kill(first)
            _kill(second)
            if handle is not None:
                try:
                    await handle.terminate("test cleanup")
                except Exception:
                    pass

    assert result.status is RecipientStatus.DELIVERED_ELECTRONIC
    assert result.route is Route.ELECTRONIC
    assert [s.step for s in result.steps] == ["electronic_sent", "electronic_delivered"]
    assert _recipient_status(database, request) == "delivered_electronic"
    # exactly one accepted delivery: the retry reused the key and was answered as a replay
    assert [(c["operation"], c["idempotency_key"]) for c in calls] == [("deliveries.create", key)]
    assert calls[0]["replays"] >= 1
    assert (await _attempts(handle, "send_electronic_delivery")) == [2]


@pytest.mark.slow
@pytest.mark.usefixtures("demo_tokens")
async def test_simulator_sigkilled_mid_notification_restarts_and_publishes_once(
    temporal: Client,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
    signing: SigningRuntime,
    tmp_path: Path,
) -> None:
    with transaction(database.sessions) as session:
        case = create_case(session)
        document = add_document(session, case, blobs)
        codes = case.code, document.code, add_party(session, case).code
    # the first legal day starts now and lasts an hour: no day boundary during the test
    calendar = LegalCalendar(day_seconds=3600, epoch=datetime.now(UTC) - timedelta(seconds=1))
    request = PublicNotificationInput(
        request_id=str(uuid.uuid4()),
        actor_id=1,
        case_code=codes[0],
        document_code=codes[1],
        party_code=codes[2],
        forms=[Form.NDC_APP],
        content=CONTENT,
        calendar=calendar,
        national_id=NATIONAL_ID,
    )
    handle = None
    async with _simulator(tmp_path) as (simulator, control):
        platforms = httpx.AsyncClient(base_url=simulator.url, trust_env=False, timeout=10)
        try:
            # the NDC call stays in flight for 3 s: the simulator dies in the middle of it
            outage = await control.put("/control/outages/ndc", json={"latency_ms": 3000})
            outage.raise_for_status()
            async with running(build_workers(temporal, settings, signing, platforms=platforms)):
                handle = await temporal.start_workflow(
                    PublicNotificationWorkflow.run,
                    request,
                    id=f"notify:{settings.task_queue}:{request.request_id}",
                    task_queue=settings.task_queue,
                )

                async def publishing_on_ndc() -> bool:
                    log = await _accepted(control)
                    description = await handle.describe()
                    pending = [
                        p.activity_type.name for p in description.raw_description.pending_activities
                    ]
                    # the portal's notice is published and filed, the ndc call in flight
                    return len(log) == 1 and pending == ["publish_notice"]

                await assert_eventually(publishing_on_ndc, timeout=30, interval=0.05)
                await asyncio.sleep(0.5)
                simulator.kill()
                await simulator.start()  # same port, same state directory
                assert [c["platform"] for c in await _accepted(control)] == ["portal"]
                await control.delete("/control/outages/ndc")

                async def first_day_published() -> Any:
                    status = await handle.query(PublicNotificationWorkflow.status)
                    states = {s.channel: s for s in status.channels}
                    done = states and all(s.publications == 1 for s in states.values())
                    return states if done else None

                # the retry comes after the activity's initial retry interval (10 s)
                states = await assert_eventually(first_day_published, timeout=40, interval=0.2)
                attempts = await _attempts(handle, "publish_notice")
            calls = await _accepted(control)
        finally:
            await platforms.aclose()
            if handle is not None:
                try:
                    await handle.terminate("test cleanup: the other days are not awaited")
                except Exception:
                    pass

    assert set(states) == {Channel.NDC_APP, Channel.PORTAL}
    assert all(s.interrupted_days == [] and s.rejected is None for s in states.values())
    keys = [(c["platform"], c["idempotency_key"]) for c in calls]
    assert len(keys) == len(set(keys)) == 2  # each notice of the first day accepted once
    assert sorted(c["platform"] for c in calls) == ["ndc", "portal"]
    assert sorted(attempts) == [1, 2]  # the ndc notice needed a second attempt
