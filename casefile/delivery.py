"""The rules of delivering a procedural document to one participant, without I/O or clocks.

The chain of Joint Circular art. 9(4): electronic delivery to the recipient's electronic
transaction account (a); a paper copy converted from the electronic document and delivered
directly, through the detention facility where the recipient is detained, when the account
cannot be used or urgency demands it (b); public posting under CPC art. 140 when the
recipient's whereabouts are unknown (c); public notification (art. 19, 20) when posting
yields no result (d). The paper copy carries the conversion certification of art. 9(7).

Every choice comes with its legal ground, a fixed string recorded with the step.

Legal basis: Joint Circular art. 9(4), 9(6), 9(7), 19(1); CPC art. 137, 140.
"""

import html
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from casefile.legaltime import LegalCalendar

__all__ = [
    "AccountStatus",
    "Route",
    "RecipientStatus",
    "Ground",
    "RecipientFacts",
    "DeliveryPolicy",
    "RouteChoice",
    "first_route",
    "DEMO_DETENTION_FACILITY",
    "RecipientRecord",
    "recipient_facts",
    "delivery_policy",
    "posting_ends_at",
    "electronic_idempotency_key",
    "workflow_id_of_idempotency_key",
    "conversion_certificate_html",
    "posting_record_html",
]


class AccountStatus(StrEnum):
    """The recipient's electronic transaction account, as the population database reports it."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    NONE = "none"


class Route(StrEnum):
    """The means of art. 9(4), in the order the chain falls back through them."""

    ELECTRONIC = "electronic"  # (a)
    PAPER = "paper"  # (b)
    POSTING = "posting"  # (c), CPC art. 140
    PUBLIC_NOTIFICATION = "public_notification"  # (d), art. 19-20


class RecipientStatus(StrEnum):
    """``document_recipients.status`` values written by the delivery process (persisted)."""

    PENDING_DELIVERY = "pending_delivery"  # recorded by the issuing process
    DELIVERING_ELECTRONIC = "delivering_electronic"
    AWAITING_PAPER_RECEIPT = "awaiting_paper_receipt"
    POSTING = "posting"
    NOTIFYING_PUBLICLY = "notifying_publicly"
    DELIVERED_ELECTRONIC = "delivered_electronic"
    DELIVERED_PAPER = "delivered_paper"
    REFUSED = "refused"
    POSTED = "posted"
    NOTIFIED_PUBLICLY = "notified_publicly"
    POSTING_WITHOUT_RESULT = "posting_without_result"
    NOTIFICATION_FAILED = "notification_failed"

    @property
    def final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset(
    {
        RecipientStatus.DELIVERED_ELECTRONIC,
        RecipientStatus.DELIVERED_PAPER,
        RecipientStatus.REFUSED,
        RecipientStatus.POSTED,
        RecipientStatus.NOTIFIED_PUBLICLY,
        RecipientStatus.POSTING_WITHOUT_RESULT,
        RecipientStatus.NOTIFICATION_FAILED,
    }
)


class Ground(StrEnum):
    """The legal ground of each step, in the fixed citation form of the docstrings."""

    ELECTRONIC = (
        "Joint Circular art. 9(4)(a): delivery to the recipient's electronic transaction account"
    )
    ELECTRONIC_DELIVERED = (
        "Joint Circular art. 9(1), 9(4)(a): the platform reported the document delivered"
    )
    DETAINED = (
        "Joint Circular art. 9(4)(b): recipient detained; paper delivery through the "
        "detention facility"
    )
    NO_ACCOUNT = "Joint Circular art. 9(4)(b): recipient has no electronic transaction account"
    SUSPENDED = "Joint Circular art. 9(4)(b): recipient's electronic account is suspended"
    URGENT = "Joint Circular art. 9(4)(b): urgent circumstances require direct delivery"
    ACCOUNT_REJECTED = "Joint Circular art. 9(4)(b): the platform definitively refused the account"
    PLATFORM_DOWN = (
        "Joint Circular art. 9(4)(a) second paragraph, 9(4)(b): the platform stayed "
        "unavailable past the procedural limit"
    )
    NO_RECEIPT = "Joint Circular art. 9(4)(b): no delivery receipt within the procedural limit"
    PAPER_COPY = "Joint Circular art. 9(6), 9(7): paper copy converted from the electronic document"
    PAPER_RECEIVED = "CPC art. 137: the recipient signed the paper receipt"
    PAPER_OVERDUE = "CPC art. 137: no paper receipt reported within the waiting period"
    REFUSED = "CPC art. 137: the recipient refused the document; the refusal is recorded"
    NOT_FOUND = "Joint Circular art. 9(4)(c); CPC art. 140: recipient not found at the address"
    WHEREABOUTS_UNKNOWN = (
        "Joint Circular art. 9(4)(c); CPC art. 140: recipient's whereabouts unknown"
    )
    POSTED = "CPC art. 140: paper copy publicly posted; posting record filed"
    CONTACTED = "CPC art. 140: the recipient came forward during the posting period"
    POSTING_NO_RESULT = "Joint Circular art. 9(4)(d), 19(1): public posting yielded no result"
    NO_NOTIFICATION_CONTENT = (
        "Joint Circular art. 19(1), 20(2): posting without result; no notification "
        "content was given"
    )
    NOTIFIED = "Joint Circular art. 20(1)(e): the public notification concluded"
    NOTIFICATION_FAILED = "Joint Circular art. 20: the public notification failed"


class RecipientFacts(BaseModel):
    """What the delivery chain chooses by; the officer sets ``urgent``."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    account: str | None = Field(default=None, min_length=1, max_length=128)
    """The electronic transaction account (VNeID), if any."""
    account_status: AccountStatus = AccountStatus.NONE
    detained: bool = False
    detention_facility: str | None = Field(default=None, max_length=12)
    """Agency code of the detention facility holding the recipient, if known."""
    whereabouts_known: bool = True
    urgent: bool = False

    @model_validator(mode="after")
    def _account_given(self) -> "RecipientFacts":
        if self.account_status is not AccountStatus.NONE and not self.account:
            raise ValueError(f"an account status {self.account_status.value!r} needs an account")
        return self


class DeliveryPolicy(BaseModel):
    """Durations of the delivery chain (from the input, never constants in the workflow)."""

    model_config = ConfigDict(frozen=True)

    electronic_limit: timedelta = timedelta(days=3)
    """Procedural limit of electronic delivery: retries and the wait for a receipt end here."""
    paper_receipt_wait: timedelta = timedelta(days=7)
    """When an unreported paper delivery is flagged overdue to the supervisors."""
    posting_days: int = Field(default=15, ge=1)
    """Legal days of public posting (CPC art. 140: fifteen days from the posting date)."""
    calendar: LegalCalendar = LegalCalendar()


def delivery_policy(
    *, time_zone: str, legal_day_seconds: int | None, now: datetime
) -> DeliveryPolicy:
    """Real legal days, or demo days of ``legal_day_seconds`` starting ``now`` (the limits
    scaled alike); the same for deliveries started by an officer and after issuing."""
    if not legal_day_seconds:
        return DeliveryPolicy(calendar=LegalCalendar(time_zone=time_zone))
    day = timedelta(seconds=legal_day_seconds)
    defaults = DeliveryPolicy()
    return DeliveryPolicy(
        electronic_limit=day * defaults.electronic_limit.days,
        paper_receipt_wait=day * defaults.paper_receipt_wait.days,
        calendar=LegalCalendar(day_seconds=legal_day_seconds, epoch=now, time_zone=time_zone),
    )


DEMO_DETENTION_FACILITY = "TTGHN"
"""The demo detention facility that hands copies to detained recipients (art. 9(4)(b))."""


class RecipientRecord(Protocol):
    """What a party's record says about reaching them (a ``casefile.models.Party``)."""

    e_account: str | None
    detained: bool
    whereabouts_known: bool


def recipient_facts(party: RecipientRecord, *, urgent: bool = False) -> RecipientFacts:
    """The facts the delivery chain chooses by, from the party's record (art. 9(4))."""
    return RecipientFacts(
        account=party.e_account or None,
        account_status=AccountStatus.ACTIVE if party.e_account else AccountStatus.NONE,
        detained=party.detained,
        detention_facility=DEMO_DETENTION_FACILITY if party.detained else None,
        whereabouts_known=party.whereabouts_known,
        urgent=urgent,
    )


class RouteChoice(BaseModel):
    model_config = ConfigDict(frozen=True)

    route: Route
    ground: Ground


def first_route(facts: RecipientFacts) -> RouteChoice:
    """Choose the first means of delivery from the recipient's facts (art. 9(4))."""
    if facts.detained:
        return RouteChoice(route=Route.PAPER, ground=Ground.DETAINED)
    if not facts.whereabouts_known:
        return RouteChoice(route=Route.POSTING, ground=Ground.WHEREABOUTS_UNKNOWN)
    if facts.urgent:
        return RouteChoice(route=Route.PAPER, ground=Ground.URGENT)
    if facts.account_status is AccountStatus.SUSPENDED:
        return RouteChoice(route=Route.PAPER, ground=Ground.SUSPENDED)
    if facts.account_status is AccountStatus.NONE or not facts.account:
        return RouteChoice(route=Route.PAPER, ground=Ground.NO_ACCOUNT)
    return RouteChoice(route=Route.ELECTRONIC, ground=Ground.ELECTRONIC)


def posting_ends_at(posted_at: datetime, policy: DeliveryPolicy) -> datetime:
    """The end of the posting period: the end of the last of ``posting_days`` legal days,
    counting the posting day as the first (CPC art. 140)."""
    calendar = policy.calendar
    first: date = calendar.day_of(posted_at)
    return calendar.end_of(first + timedelta(days=policy.posting_days - 1))


def electronic_idempotency_key(workflow_id: str) -> str:
    """The platform call's key; the platform's webhook carries it back to find the workflow."""
    return f"{workflow_id}:electronic"


def workflow_id_of_idempotency_key(key: str) -> str | None:
    """The delivery workflow a webhook's ``idempotency_key`` belongs to, if it is one of ours."""
    workflow_id, _, suffix = key.rpartition(":")
    return workflow_id if suffix == "electronic" and workflow_id else None


_STYLE = """
@page { size: A4; margin: 20mm 20mm 20mm 25mm; }
body { font-family: "Liberation Serif Hoso"; font-size: 13pt; line-height: 1.4; }
h1 { font-size: 14pt; text-align: center; text-transform: uppercase; margin: 12pt 0; }
.agency { text-transform: uppercase; font-weight: bold; }
dt { font-weight: bold; margin-top: 6pt; }
dd { margin-left: 0; word-break: break-all; }
.sign { margin-top: 24pt; margin-left: 55%; text-align: center; }
"""


def _page(title: str, agency: str, lines: list[tuple[str, str]], closing: str, signer: str) -> str:
    items = "\n".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>" for label, value in lines
    )
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f'<p class="agency">{html.escape(agency)}</p><h1>{html.escape(title)}</h1>'
        f"<dl>{items}</dl><p>{html.escape(closing)}</p>"
        f'<p class="sign">{html.escape(signer)}</p></body></html>'
    )


def conversion_certificate_html(
    *,
    agency_name: str,
    document_code: str,
    document_title: str,
    procedural_number: str | None,
    sha256: str,
    page_count: int,
    officer_name: str,
    officer_title: str,
    converted_at: str,
    recipient: str,
) -> str:
    """The certification page of a paper copy converted from the electronic document
    (Joint Circular art. 9(7)): which document, its fingerprint, who converted it and when."""
    return _page(
        "Xác nhận bản giấy chuyển đổi từ văn bản điện tử",
        agency_name,
        [
            ("Văn bản điện tử", document_title),
            ("Số văn bản", procedural_number or "—"),
            ("Mã văn bản điện tử", document_code),
            ("Mã băm SHA-256 của văn bản điện tử", sha256),
            ("Số trang", str(page_count)),
            ("Người nhận", recipient),
            ("Người chuyển đổi", f"{officer_name}, {officer_title}"),
            ("Thời điểm chuyển đổi", converted_at),
        ],
        "Bản giấy kèm theo được chuyển đổi từ văn bản điện tử nêu trên, có nội dung đúng với "
        "văn bản điện tử (Thông tư liên tịch, Điều 9 khoản 6, 7).",
        officer_name,
    )


def posting_record_html(
    *,
    agency_name: str,
    document_code: str,
    document_title: str,
    sha256: str,
    recipient: str,
    officer_name: str,
    officer_title: str,
    posted_at: str,
    posted_until: str,
    place: str,
) -> str:
    """The record of public posting (CPC art. 140) of the converted paper copy."""
    return _page(
        "Biên bản niêm yết công khai văn bản tố tụng",
        agency_name,
        [
            ("Văn bản niêm yết", document_title),
            ("Mã văn bản điện tử", document_code),
            ("Mã băm SHA-256 của văn bản điện tử", sha256),
            ("Người được tống đạt", recipient),
            ("Nơi niêm yết", place),
            ("Thời điểm niêm yết", posted_at),
            ("Niêm yết đến hết", posted_until),
            ("Người niêm yết", f"{officer_name}, {officer_title}"),
        ],
        "Bản giấy chuyển đổi từ văn bản điện tử được niêm yết công khai theo Điều 140 Bộ luật "
        "Tố tụng hình sự và Điều 9 khoản 4 điểm c Thông tư liên tịch.",
        officer_name,
    )
