"""What an agency may publish to the common database, and how a request is signed.

Legal basis: Joint Circular art. 18(4): the common database "does not store full detailed
content but only stores identifying information and status records". The models below
admit nothing else by construction: every string is an electronic file code, an agency
code or a value of a closed vocabulary (``extra="forbid"``), so a name, a national ID, a
document's text or its bytes cannot be sent, let alone stored. Codes are checked with
their check digits (casefile.filecodes, the common data standard of art. 23(1)(b)).

Signing (per agency, art. 18(3): identification, authentication, transaction logging):
the key of agency ``A`` is configured explicitly or derived from a master secret as
``HMAC-SHA256(master, "hoso-statusdb/" + A)``. Each request carries

- ``X-Hoso-Agency: A``
- ``X-Hoso-Timestamp: <Unix seconds>`` (refused when more than 5 minutes off)
- ``X-Hoso-Signature: sha256=<hex HMAC-SHA256(key, canonical request)>`` where the
  canonical request is ``timestamp "\\n" METHOD "\\n" path?query "\\n" body``.

A replayed request within the 5 minutes does nothing new: events are kept once per
``event_id`` and acknowledging an alert twice is the same as once.

This module imports nothing of the service, so hoso's relay imports it to build and sign
what it sends.
"""

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from casefile.errors import InvalidCode
from casefile.filecodes import (
    AGENCY_CODE_PATTERN,
    ExtensionKind,
    parse_case_code,
    parse_extended_code,
)

__all__ = [
    "AGENCY_HEADER",
    "MAX_CLOCK_SKEW_SECONDS",
    "SIGNATURE_HEADER",
    "STATUSES_BY_KIND",
    "TIMESTAMP_HEADER",
    "AgencyCode",
    "CaseCodeStr",
    "DocumentCodeStr",
    "EventId",
    "PartyCodeStr",
    "StatusEvent",
    "StatusKind",
    "TransferStatus",
    "agency_key",
    "sign_request",
    "signed_headers",
    "verify_request",
]

AGENCY_HEADER = "X-Hoso-Agency"
TIMESTAMP_HEADER = "X-Hoso-Timestamp"
SIGNATURE_HEADER = "X-Hoso-Signature"
MAX_CLOCK_SKEW_SECONDS = 300
_KEY_LABEL = b"hoso-statusdb/"


class StatusKind(StrEnum):
    """What a status is about (persisted and exchanged: never renamed)."""

    CASE = "case"  # the case file exists: opened
    STAGE = "stage"  # the procedural stage it is in
    DOCUMENT = "document"  # a document code was registered or filed into it
    DELIVERY = "delivery"  # a document's delivery to one participant (art. 9(4))
    NOTIFICATION = "notification"  # a public notification of a document (art. 20)
    TRANSFER = "transfer"  # the case file handed to another agency (art. 9(1)-(3))


class TransferStatus(StrEnum):
    """The steps of handing a case file to another agency (art. 9(1)-(3), 15(1))."""

    SENT = "sent"  # the sending agency handed it over
    RECEIVED = "received"  # the receiving agency's system took it and checked it
    ACCEPTED = "accepted"  # a person of the receiving agency confirmed it
    RETURNED = "returned"  # ... or sent it back with reasons


STATUSES_BY_KIND: dict[StatusKind, frozenset[str]] = {
    StatusKind.CASE: frozenset({"opened"}),
    # casefile.codes.Stage
    StatusKind.STAGE: frozenset(
        {"intake", "investigation", "prosecution", "trial", "enforcement", "closed"}
    ),
    StatusKind.DOCUMENT: frozenset({"registered", "filed"}),
    # casefile.delivery.RecipientStatus
    StatusKind.DELIVERY: frozenset(
        {
            "pending_delivery",
            "delivering_electronic",
            "awaiting_paper_receipt",
            "posting",
            "notifying_publicly",
            "delivered_electronic",
            "delivered_paper",
            "refused",
            "posted",
            "notified_publicly",
            "posting_without_result",
            "notification_failed",
        }
    ),
    StatusKind.NOTIFICATION: frozenset({"started", "concluded", "failed"}),
    StatusKind.TRANSFER: frozenset(TransferStatus),
}
"""The closed vocabulary of statuses per kind; tests keep it equal to hoso's enums."""

_NEEDS_SUBJECT = {StatusKind.DOCUMENT, StatusKind.DELIVERY, StatusKind.NOTIFICATION}


def _checked(kind: ExtensionKind | None) -> Callable[[str], str]:
    """A validator that verifies a code's check digits (and that it is of ``kind``)."""

    def check(value: str) -> str:
        try:
            parse_case_code(value) if kind is None else parse_extended_code(value, kind)
        except InvalidCode as exc:
            raise ValueError(exc.failure_message) from None
        return value

    return check


_CODE_BODY = rf"{AGENCY_CODE_PATTERN}-\d{{4}}-\d{{6}}-\d{{2}}"

AgencyCode = Annotated[str, StringConstraints(pattern=rf"^{AGENCY_CODE_PATTERN}$")]
"""2-12 capital letters or digits, as casefile.filecodes.CaseCode.issue requires."""
CaseCodeStr = Annotated[
    str,
    StringConstraints(pattern=rf"^{_CODE_BODY}$", max_length=40),
    AfterValidator(_checked(None)),
]
DocumentCodeStr = Annotated[
    str,
    StringConstraints(pattern=rf"^{_CODE_BODY}-D\d{{6}}-\d{{2}}$", max_length=60),
    AfterValidator(_checked(ExtensionKind.DOCUMENT)),
]
PartyCodeStr = Annotated[
    str,
    StringConstraints(pattern=rf"^{_CODE_BODY}-P\d{{6}}-\d{{2}}$", max_length=60),
    AfterValidator(_checked(ExtensionKind.PARTY)),
]
EventId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
"""32 lower-case hex digits (a UUID without hyphens): random, so it says nothing."""


class StatusEvent(BaseModel):
    """One status change as an agency publishes it: identifiers, a status and a time only."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    event_id: EventId
    agency_code: AgencyCode
    """The publishing agency; must be the agency that signed the request."""
    case_code: CaseCodeStr
    kind: StatusKind
    status: Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,32}$")]
    subject_code: DocumentCodeStr | None = None
    """The document the status is about (document, delivery, notification)."""
    party_code: PartyCodeStr | None = None
    """The recipient of a delivery or notification."""
    counterpart_agency_code: AgencyCode | None = None
    """The other agency of a transfer: it becomes party to the case and gets the alerts."""
    occurred_at: AwareDatetime

    @field_validator("status")
    @classmethod
    def _status_of_kind(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind is not None and value not in STATUSES_BY_KIND[kind]:
            known = ", ".join(sorted(STATUSES_BY_KIND[kind]))
            raise ValueError(f"{value!r} is not a status of a {kind.value} (known: {known})")
        return value

    @model_validator(mode="after")
    def _codes_fit_together(self) -> Self:
        case = parse_case_code(self.case_code)
        for field in ("subject_code", "party_code"):
            code = getattr(self, field)
            if code is not None and parse_extended_code(code).case != case:
                raise ValueError(f"{field} {code} does not extend case_code {self.case_code}")
        if self.kind in _NEEDS_SUBJECT and self.subject_code is None:
            raise ValueError(f"a {self.kind.value} status needs subject_code (a document code)")
        if self.kind is StatusKind.DELIVERY and self.party_code is None:
            raise ValueError("a delivery status needs party_code (the recipient's party code)")
        if self.kind is StatusKind.TRANSFER and self.counterpart_agency_code is None:
            raise ValueError("a transfer status needs counterpart_agency_code")
        if self.counterpart_agency_code == self.agency_code:
            raise ValueError("counterpart_agency_code is the publishing agency itself")
        return self


def agency_key(master: bytes, agency_code: str) -> bytes:
    """The signing key of ``agency_code`` derived from a master secret."""
    return hmac.new(master, _KEY_LABEL + agency_code.encode(), hashlib.sha256).digest()


def sign_request(key: bytes, *, timestamp: str, method: str, target: str, body: bytes) -> str:
    """The value of ``X-Hoso-Signature`` for one request (``target`` is path?query)."""
    canonical = b"\n".join([timestamp.encode(), method.upper().encode(), target.encode(), body])
    return "sha256=" + hmac.new(key, canonical, hashlib.sha256).hexdigest()


def verify_request(
    key: bytes, *, timestamp: str, method: str, target: str, body: bytes, signature: str
) -> bool:
    """Whether ``signature`` is that of this request under ``key`` (constant time)."""
    expected = sign_request(key, timestamp=timestamp, method=method, target=target, body=body)
    return hmac.compare_digest(expected.encode(), signature.encode())


def signed_headers(
    key: bytes, *, agency_code: str, method: str, target: str, body: bytes, now: datetime
) -> dict[str, str]:
    """The three headers that authenticate a request of ``agency_code``."""
    timestamp = str(int(now.timestamp()))
    return {
        AGENCY_HEADER: agency_code,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign_request(
            key, timestamp=timestamp, method=method, target=target, body=body
        ),
    }
