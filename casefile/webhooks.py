"""Authenticating platform receipts (webhooks): HMAC-SHA256 of the raw body with a key per
platform derived from a master secret, a fresh timestamp, and each event id taken once.

Legal basis: Joint Circular art. 9(1), 17(1)(d) (receipts recorded with evidentiary value),
art. 20(1)(e) (the moment the system confirms the document reached the account).
"""

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casefile.audit import record_event
from casefile.errors import InvalidInput, NotPermitted
from casefile.models import PlatformEvent

__all__ = ["WEBHOOK_PLATFORMS", "MAX_CLOCK_SKEW_SECONDS", "authenticate", "record_platform_event"]

WEBHOOK_PLATFORMS = frozenset({"vneid", "egov", "ndc"})
MAX_CLOCK_SKEW_SECONDS = 300
_DERIVATION_LABEL = b"hoso-platform-webhook/"


def platform_key(master: bytes, platform: str) -> bytes:
    return hmac.new(master, _DERIVATION_LABEL + platform.encode(), hashlib.sha256).digest()


def authenticate(
    *,
    master: bytes,
    platform: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Check the signature and freshness; return the parsed payload or raise NotPermitted."""
    if platform not in WEBHOOK_PLATFORMS:
        raise InvalidInput(f"unknown platform {platform!r}", field="platform")
    expected = (
        "sha256=" + hmac.new(platform_key(master, platform), body, hashlib.sha256).hexdigest()
    )
    if not signature or not hmac.compare_digest(expected, signature):
        raise NotPermitted("the webhook signature does not verify", field="X-Hoso-Signature")
    try:
        sent = float(timestamp or "")
    except ValueError:
        raise NotPermitted("the webhook has no timestamp", field="X-Hoso-Timestamp") from None
    if abs(now.timestamp() - sent) > MAX_CLOCK_SKEW_SECONDS:
        raise NotPermitted("the webhook is stale (replayed?)", field="X-Hoso-Timestamp")
    try:
        return json.loads(body)
    except ValueError:
        raise InvalidInput("the webhook body is not JSON", field="body") from None


def record_platform_event(
    session: Session, *, platform: str, payload: dict[str, Any], now: datetime
) -> bool:
    """Keep the event once; return False if this event id was already received."""
    event_id = str(payload.get("event_id") or "")
    if not event_id:
        raise InvalidInput("the webhook has no event_id", field="event_id")
    try:
        with session.begin_nested():
            session.add(
                PlatformEvent(
                    event_id=event_id,
                    platform=platform,
                    event_type=str(payload.get("event_type", "")),
                    subject_id=str(payload.get("subject_id", "")),
                    document_code=payload.get("document_code"),
                    payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
                    received_at=now,
                )
            )
    except IntegrityError:
        return False
    record_event(
        session,
        actor=f"platform:{platform}",
        agency="-",
        action="platform.receipt",
        object_type="document",
        object_code=str(payload.get("document_code") or "-"),
        details={
            "event": event_id,
            "type": payload.get("event_type"),
            "subject": payload.get("subject_id"),
            "at": payload.get("occurred_at"),
        },
        occurred_at=now.astimezone(UTC),
    )
    return True
