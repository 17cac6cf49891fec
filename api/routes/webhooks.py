"""Platform receipts: "delivered and accessible", "opened", "confirmed" (authenticated with a
per-platform secret, replay-safe), handed to the process that sent the document."""

from datetime import UTC, datetime

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from temporalio.service import RPCError

from api.deps import SessionFactoryDep, SettingsDep, TemporalClientDep
from casefile.db import transaction
from casefile.notification import Channel
from casefile.webhooks import authenticate, record_platform_event
from workflows.io import AccessConfirmed
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
    # our idempotency key names the process: "<workflow id>:<channel>:<legal day>"
    key = str(payload.get("idempotency_key") or "")
    workflow_id = key.rsplit(":", 2)[0] if key.count(":") >= 2 else ""
    signalled = False
    if workflow_id.startswith("notify-publicly:") and payload.get("event_type") in (
        "delivered",
        "confirmed",
    ):
        kind = "confirmed" if payload["event_type"] == "confirmed" else "accessible"
        occurred = datetime.fromisoformat(payload.get("occurred_at") or now.isoformat())
        try:
            await temporal.get_workflow_handle(workflow_id).signal(
                PublicNotificationWorkflow.access_confirmed,
                AccessConfirmed(channel=_CHANNEL_OF[platform], at=occurred, kind=kind),
            )
            signalled = True
        except RPCError:  # the process has ended: the receipt stays recorded
            signalled = False
    return {"received": payload["event_id"], "duplicate": False, "signalled": signalled}
