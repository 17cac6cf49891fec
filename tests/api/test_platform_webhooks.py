"""Platform receipts: the simulator's signed webhooks reach hoso, are kept once, and
conclude the account channel of a running public notification (art. 20(1)(e))."""

import json
import time
import uuid

from sqlalchemy import func, select
from temporalio.client import Client

from casefile.db import transaction
from casefile.doctypes import DocType
from casefile.models import AuditEvent
from casefile.notification import Channel, Form
from casefile.settings import Settings
from casefile.webhooks import platform_key
from platforms.simulator.webhooks import sign_body
from tests.casefile.test_notification_rules import CONTENT
from tests.casefile.test_rendering import SAMPLES
from tests.conftest import Database
from tests.factories import add_document, add_party, create_case
from tests.helpers import assert_eventually
from workflows import public_notification_workflow_id
from workflows.io import PublicNotificationInput
from workflows.notify_publicly import PublicNotificationWorkflow

ACCOUNT = "TK001090000001"


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
    platforms, simulator = stack.platforms, stack.simulator
    await platforms.put(f"/control/accounts/{ACCOUNT}", json={"delivered_after_seconds": 0})
    with transaction(database.sessions) as session:
        case = create_case(session)
        document = add_document(session, case, blobs)
        codes = case.code, document.code, add_party(session, case).code
    request = PublicNotificationInput(
        request_id=f"1:{uuid.uuid4()}",
        actor_id=1,
        case_code=codes[0],
        document_code=codes[1],
        party_code=codes[2],
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
    hoso = stack.hoso
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


async def test_notification_started_through_the_api_publishes_and_lists_its_channels(
    stack, as_user, temporal: Client
) -> None:
    hoso, platforms = stack.hoso, stack.platforms
    case = (
        await hoso.post(
            "/api/v1/cases",
            json={"agency_code": "CSDTHN", "title": "Vụ trộm cắp tài sản"},
            headers=as_user(),
        )
    ).json()["code"]
    party = (
        await hoso.post(
            f"/api/v1/cases/{case}/parties",
            json={
                "role": "suspect",
                "full_name": "Đặng Quốc Khánh",
                "birth_year": 1990,
                "e_account": ACCOUNT,
            },
            headers=as_user(),
        )
    ).json()["code"]
    document = (
        await hoso.post(
            f"/api/v1/cases/{case}/documents",
            json={"doc_type": "summons", "fields": SAMPLES[DocType.SUMMONS]},
            headers=as_user(),
        )
    ).json()["code"]
    missing = await hoso.post(
        f"/api/v1/documents/{document}/notifications",
        json={
            "party_code": party,
            "forms": ["account"],
            "content": {k: v for k, v in CONTENT.items() if k != "person"},
        },
        headers=as_user(),
    )
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "content.person"
    started = await hoso.post(
        f"/api/v1/documents/{document}/notifications",
        json={"party_code": party, "forms": ["account"], "content": CONTENT},
        headers=as_user(),
    )
    assert started.status_code == 201, started.text

    async def listed_and_published() -> list:
        found = (
            await hoso.get(f"/api/v1/documents/{document}/notifications", headers=as_user())
        ).json()
        return [
            n
            for n in found
            if n["progress"]
            and n["progress"]["channels"]
            and all(c["publications"] >= 1 for c in n["progress"]["channels"])
        ]

    found = await assert_eventually(listed_and_published, timeout=20)
    assert {c["channel"] for c in found[0]["progress"]["channels"]} == {"account", "portal"}
    request_document = found[0]["progress"]["request_document_code"]  # art. 20(3)(a)
    filed = await hoso.get(f"/api/v1/documents/{request_document}", headers=as_user())
    assert (filed.json()["doc_type"], filed.json()["case_code"]) == ("notification_request", case)
    log = (await platforms.get("/control/log")).json()["calls"]
    assert {call["platform"] for call in log} == {"vneid", "portal"}
    await temporal.get_workflow_handle(started.json()["workflow_id"]).terminate("test over")
