"""Platform receipts: the simulator's signed webhooks reach hoso, are kept once, and
conclude the account channel of a running public notification (art. 20(1)(e))."""

import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from temporalio.client import Client

from api.main import create_app
from casefile.db import transaction
from casefile.models import AuditEvent
from casefile.notification import Channel, Form
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from casefile.webhooks import platform_key
from platforms.simulator import create_simulator_app
from platforms.simulator.webhooks import sign_body
from tests.casefile.test_notification_rules import CONTENT
from tests.conftest import Database
from tests.factories import add_document, create_case
from tests.helpers import assert_eventually
from worker import build_casefile_worker
from workflows import public_notification_workflow_id
from workflows.io import PublicNotificationInput
from workflows.notify_publicly import PublicNotificationWorkflow

ACCOUNT = "TK001090000001"


@pytest.fixture
async def stack(
    settings: Settings, temporal: Client, signing: SigningRuntime, demo_tokens, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, object]]:
    """hoso's API and worker with the simulator in process: the worker publishes to it, its
    webhooks go to hoso's app."""
    app = create_app(settings, temporal=temporal, signing=signing)
    simulator = create_simulator_app(
        tmp_path / "sim",
        webhook_url="http://hoso/api/v1/platform-webhooks/{platform}",
        webhook_secret=settings.platform_webhook_secret.encode(),
        webhook_transport=httpx.ASGITransport(app=app),
    )
    platforms = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=simulator), base_url="http://sim"
    )
    worker = build_casefile_worker(temporal, settings, signing, platforms=platforms)
    async with worker, app.router.lifespan_context(app), platforms:
        hoso = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hoso")
        async with hoso:
            yield hoso, platforms, simulator


def _signed(settings: Settings, platform: str, payload: dict, *, sent: float | None = None):
    body = json.dumps(payload).encode()
    key = platform_key(settings.platform_webhook_secret.encode(), platform)
    headers = {
        "Content-Type": "application/json",
        "X-Hoso-Signature": sign_body(key, body),
        "X-Hoso-Timestamp": str(sent if sent is not None else time.time()),
    }
    return body, headers


async def test_simulator_receipt_concludes_the_account_channel_once(
    stack, settings: Settings, database: Database, blobs, temporal: Client
) -> None:
    hoso, platforms, simulator = stack
    await platforms.put(f"/control/accounts/{ACCOUNT}", json={"delivered_after_seconds": 0})
    with transaction(database.sessions) as session:
        case = create_case(session)
        document = add_document(session, case, blobs)
        codes = case.code, document.code
    request = PublicNotificationInput(
        request_id=f"1:{uuid.uuid4()}",
        actor_id=1,
        case_code=codes[0],
        document_code=codes[1],
        party_code=codes[0] + "-P000001-00",
        forms=[Form.ACCOUNT],
        content=CONTENT,
        account=ACCOUNT,
    )
    handle = await temporal.start_workflow(
        PublicNotificationWorkflow.run,
        request,
        id=public_notification_workflow_id(settings.task_queue, request.request_id),
        task_queue=settings.task_queue,
    )
    try:

        async def account_published() -> bool:
            status = await handle.query(PublicNotificationWorkflow.status)
            return any(c.channel == Channel.ACCOUNT and c.publications for c in status.channels)

        await assert_eventually(account_published)

        async def account_concluded() -> bool:
            await simulator.state.simulator.pump_webhooks()
            status = await handle.query(PublicNotificationWorkflow.status)
            return any(c.channel == Channel.ACCOUNT and c.concluded_at for c in status.channels)

        await assert_eventually(account_concluded)
    finally:
        await handle.terminate("test over")
    with database.sessions() as session:
        receipts = session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "platform.receipt")
        ).all()
    assert any('"type":"delivered"' in r for r in receipts)


async def test_webhook_with_bad_signature_or_stale_time_is_refused_and_replays_are_ignored(
    stack, settings: Settings, database: Database
) -> None:
    hoso, _, _ = stack
    payload = {
        "event_id": "evt-1",
        "event_type": "opened",
        "subject_id": "dlv-1",
        "document_code": None,
    }
    body, headers = _signed(settings, "vneid", payload)
    bad = await hoso.post(
        "/api/v1/platform-webhooks/vneid",
        content=body,
        headers={**headers, "X-Hoso-Signature": "sha256=" + "0" * 64},
    )
    assert bad.status_code == 403 and bad.json()["error"]["field"] == "X-Hoso-Signature"
    stale_body, stale_headers = _signed(settings, "vneid", payload, sent=time.time() - 3600)
    stale = await hoso.post(
        "/api/v1/platform-webhooks/vneid", content=stale_body, headers=stale_headers
    )
    assert stale.status_code == 403 and "stale" in stale.json()["error"]["message"]
    first = await hoso.post("/api/v1/platform-webhooks/vneid", content=body, headers=headers)
    again = await hoso.post("/api/v1/platform-webhooks/vneid", content=body, headers=headers)
    assert first.json()["duplicate"] is False and again.json()["duplicate"] is True
    with database.sessions() as session:
        count = session.scalar(select(func.count()).where(AuditEvent.action == "platform.receipt"))
    assert count == 1
