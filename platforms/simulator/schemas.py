"""Request bodies of the simulated platforms (Pydantic v2, extra fields refused)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import date as Date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AccountUpdate",
    "BroadcastCreate",
    "CapacitySet",
    "DeliveryCreate",
    "NationalId",
    "NdcNotificationCreate",
    "NoticeCreate",
    "OutageSet",
    "PublicationCreate",
]

MAX_PDF_BYTES = 2 * 1024 * 1024

NationalId = Annotated[str, Field(pattern=r"^[0-9]{12}$", description="12-digit personal ID")]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
ShortText = Annotated[str, Field(min_length=1, max_length=500)]
LongText = Annotated[str, Field(min_length=1, max_length=20_000)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DeliveryCreate(_Body):
    """A document for an e-transaction account (Joint Circular art. 9(4)(a), 20(1)(b))."""

    account: Annotated[str, Field(min_length=1, max_length=64)]
    document_code: Annotated[str, Field(min_length=1, max_length=128)]
    title: ShortText
    pdf_sha256: Sha256Hex
    pdf_url: Annotated[str | None, Field(max_length=2000)] = None
    pdf_base64: Annotated[str | None, Field(max_length=(MAX_PDF_BYTES * 4) // 3 + 4)] = None

    @model_validator(mode="after")
    def _pdf_given_and_matching(self) -> DeliveryCreate:
        if not self.pdf_url and not self.pdf_base64:
            raise ValueError("give pdf_url or pdf_base64")
        if self.pdf_base64:
            try:
                data = base64.b64decode(self.pdf_base64, validate=True)
            except binascii.Error as exc:
                raise ValueError("pdf_base64 is not valid base64") from exc
            if hashlib.sha256(data).hexdigest() != self.pdf_sha256:
                raise ValueError("pdf_sha256 does not match the bytes of pdf_base64")
        return self


class NdcNotificationCreate(_Body):
    """A notification through the NDC common application (Joint Circular art. 20(1)(c))."""

    national_id: NationalId
    document_code: Annotated[str, Field(min_length=1, max_length=128)]
    title: ShortText
    text: LongText | None = None
    pdf_sha256: Sha256Hex | None = None
    agency: ShortText | None = None


class NoticeCreate(_Body):
    """A notice on the agency's own portal for one day (Joint Circular art. 20(1)(d))."""

    title: ShortText
    body: LongText
    date: Date | None = Field(default=None, description="legal day; default today")
    agency: ShortText | None = None


class PublicationCreate(_Body):
    """A notice for the next issue of the central daily newspaper (art. 20(1)(a))."""

    text: LongText
    title: ShortText | None = None
    agency: ShortText | None = None


class BroadcastCreate(_Body):
    """A notice for the next bulletin on national radio or TV (art. 20(1)(a))."""

    text: LongText
    title: ShortText | None = None
    agency: ShortText | None = None


class OutageSet(_Body):
    """How a platform misbehaves until cleared."""

    down_for_seconds: Annotated[float, Field(ge=0)] = 0
    error_rate: Annotated[float, Field(ge=0, le=1)] = 0
    lost_reply_rate: Annotated[float, Field(ge=0, le=1)] = 0
    """Share of successful calls whose reply is lost (500 after the work is committed)."""
    latency_ms: Annotated[int, Field(ge=0, le=60_000)] = 0
    reject: bool = False
    reject_reason: ShortText | None = None
    seed: int | None = None
    """Re-seed this platform's random generator (error_rate, lost_reply_rate)."""


class CapacitySet(_Body):
    """How many creating calls per second a platform accepts before it answers 503 busy."""

    per_second: Annotated[float, Field(gt=0, le=100_000)]
    burst: Annotated[float | None, Field(ge=1, le=1_000_000)] = None
    """Calls accepted at once after a quiet spell; default one second's worth (at least 1)."""


class AccountUpdate(_Body):
    """Behaviour of an e-transaction account (seconds after a delivery is accepted)."""

    status: Annotated[str | None, Field(pattern=r"^(active|suspended|inactive)$")] = None
    delivered_after_seconds: Annotated[float | None, Field(ge=0)] = None
    opened_after_seconds: Annotated[float | None, Field(ge=0)] = None
    confirmed_after_seconds: Annotated[float | None, Field(ge=0)] = None
    never_open: bool = False
    never_confirm: bool = False
