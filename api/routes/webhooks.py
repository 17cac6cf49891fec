"""Platform receipts: "delivered and accessible", "opened", "confirmed" (authenticated with a
per-platform secret, replay-safe), handed to the process that sent the document."""

from datetime import UTC, datetime

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from temporalio.service import RPCError

from api.deps import SessionFactoryDep, SettingsDep, TemporalClientDep
from casefile.db import transaction
from casefile.delivery import workflow_id_of_idempotency_key
from casefile.notification import Channel
from casefile.webhooks import authenticate, record_platform_event
from workflows.deliver_document import DeliverDocumentWorkflow
from workflows.io import AccessConfirmed, PlatformReceipt
from workflows.notify_publicly import PublicNotificationWorkflow

router = APIRouter(prefix="/api/v1/platform-webhooks", tags=["webhooks"])

_CHANNEL_OF = {"vneid": Channel.ACCOUNT, "egov": Channel.ACCOUNT, "ndc": Channel.NDC_APP}


@router.post("/{platform}")
async def receive_platform_event(
    platform: str,
    request: Request,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
    x_hoso_signature: str | None = Header(default=None),
    x_hoso_timestamp: str | None = Header(default=None),
) -> dict:
    """Record a platform's receipt once and signal the sending process (art. 20(1)(e))."""
    now = datetime.now(UTC)
    payload = authenticate(
        master=settings.platform_webhook_secret.encode(),
        platform=platform,
        body=await request.body(),
        signature=x_hoso_signature,
        timestamp=x_hoso_timestamp,
        now=now,
    )

    def keep() -> bool:
        with transaction(sessions) as session:
            return record_platform_event(session, platform=platform, payload=payload, now=now)

    if not await run_in_threadpool(keep):
        return {"received": payload["event_id"], "duplicate": True}
    key = str(payload.get("idempotency_key") or "")
    occurred = datetime.fromisoformat(payload.get("occurred_at") or now.isoformat())
    if (delivery := workflow_id_of_idempotency_key(key)) is not None:
        receipt = PlatformReceipt(
            kind=payload["event_type"],
            at=occurred,
            idempotency_key=key,
            delivery_id=payload.get("delivery_id"),
            event_id=payload["event_id"],
        )
        signalled = await _signal(
            temporal, delivery, DeliverDocumentWorkflow.platform_receipt, receipt
        )
        return {"received": payload["event_id"], "duplicate": False, "signalled": signalled}
    # a notification's key names the process: "<workflow id>:<channel>:<legal day>"
    workflow_id = key.rsplit(":", 2)[0] if key.count(":") >= 2 else ""
    signalled = False
    if workflow_id.startswith("notify-publicly:") and payload.get("event_type") in (
        "delivered",
        "confirmed",
    ):
        kind = "confirmed" if payload["event_type"] == "confirmed" else "accessible"
        signalled = await _signal(
            temporal,
            workflow_id,
            PublicNotificationWorkflow.access_confirmed,
            AccessConfirmed(channel=_CHANNEL_OF[platform], at=occurred, kind=kind),
        )
    return {"received": payload["event_id"], "duplicate": False, "signalled": signalled}


async def _signal(temporal, workflow_id: str, signal, argument) -> bool:
    try:
        await temporal.get_workflow_handle(workflow_id).signal(signal, argument)
    except RPCError:  # the process has ended (or never was): the receipt stays recorded
        return False
    return True
