"""The rules of a public notification (Joint Circular art. 20), without I/O or clocks.

Channels: mass media (a) = the central daily newspaper (three consecutive issues) and
national radio or TV (three broadcasts on three consecutive days); the recipient's
electronic account on a digital platform (b) and the NDC common application (c), three
consecutive days each; and always the agency's own portal (d), three consecutive days.
A day lost to an interruption is made up right after it, so the count is met, and the
interruption is recorded. A channel concludes at the end of its third day; (b) and (c)
also conclude when the platform confirms the document reached the account and can be
opened, or when a confirmation arrives (art. 20(1)(e)).
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casefile.errors import InvalidInput
from casefile.legaltime import LegalCalendar

__all__ = [
    "Channel",
    "Form",
    "REQUIRED_PUBLICATIONS",
    "NotificationContent",
    "ChannelProgress",
    "channels_for",
    "validate_content",
    "notice_text",
    "CHANNEL_REQUESTS",
    "request_document_fields",
]

REQUIRED_PUBLICATIONS = 3


class Form(StrEnum):
    """The forms of art. 20(1) an officer chooses among; the portal (d) is always added."""

    MASS_MEDIA = "mass_media"  # (a)
    ACCOUNT = "account"  # (b)
    NDC_APP = "ndc_app"  # (c)
    PORTAL = "portal"  # (d)


class Channel(StrEnum):
    NEWSPAPER = "newspaper"
    BROADCAST = "broadcast"  # national radio or television
    ACCOUNT = "account"
    NDC_APP = "ndc_app"
    PORTAL = "portal"

    @property
    def concludes_on_access(self) -> bool:
        """(b) and (c) also conclude once the document is accessible or confirmed."""
        return self in (Channel.ACCOUNT, Channel.NDC_APP)


def channels_for(forms: Sequence[Form]) -> list[Channel]:
    """The channels to run for the chosen forms, the portal always included (art. 20(1)(d))."""
    if not forms:
        raise InvalidInput("choose at least one form of notification", field="forms")
    channels: list[Channel] = []
    if Form.MASS_MEDIA in forms:
        channels += [Channel.NEWSPAPER, Channel.BROADCAST]
    if Form.ACCOUNT in forms:
        channels.append(Channel.ACCOUNT)
    if Form.NDC_APP in forms:
        channels.append(Channel.NDC_APP)
    channels.append(Channel.PORTAL)
    return channels


_TEXT = {"min_length": 1, "max_length": 2000}


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True, extra="forbid")


class NotifiedPerson(_Part):
    full_name: str = Field(**_TEXT)
    birth_year: int = Field(ge=1900, le=2100)
    residence: str = Field(**_TEXT)


class NotifiedDocument(_Part):
    doc_type: str = Field(**_TEXT)
    number: str = Field(**_TEXT)
    issued_on: date
    text: str = Field(min_length=1, max_length=20000)
    """The full text or the part of it that is published."""


class Obligation(_Part):
    time: str = Field(**_TEXT)
    deadline: str = Field(**_TEXT)
    place: str = Field(**_TEXT)


class NotificationContent(_Part):
    """What every notice must say (art. 20(2)(a)-(e)); (f), the times of posting and of
    conclusion, is added by the process from its plan."""

    issuing_agency: str = Field(**_TEXT)  # (a)
    person: NotifiedPerson  # (b)
    document: NotifiedDocument  # (c)
    obligation: Obligation  # (d)
    consequences: str = Field(**_TEXT)  # (e)


def validate_content(data: object) -> NotificationContent:
    """Validate before anything is published; a missing field raises naming it."""
    try:
        return NotificationContent.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "content." + ".".join(str(part) for part in first["loc"])
        raise InvalidInput(f"{field}: {first['msg']}", field=field) from None


class Publication(_Part):
    day: date
    at: datetime
    evidence_id: str
    issue_number: int | None = None


class ChannelProgress(_Part):
    """What happened on one channel so far; the workflow keeps one per channel."""

    channel: Channel
    publications: tuple[Publication, ...] = ()
    interrupted_days: tuple[date, ...] = ()
    accessible_at: datetime | None = None
    """(b)/(c): the platform confirmed the document reached the account and can be opened."""
    confirmed_at: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.publications)

    def published_on(self, day: date) -> bool:
        return any(p.day == day for p in self.publications)

    def due_on(self, day: date) -> bool:
        """Publish today if the count is not met and nothing was published today."""
        return (
            not self.concluded_early
            and self.count < REQUIRED_PUBLICATIONS
            and not (self.published_on(day))
        )

    @property
    def concluded_early(self) -> bool:
        return self.channel.concludes_on_access and (
            self.accessible_at is not None or self.confirmed_at is not None
        )

    def with_publication(self, publication: Publication) -> "ChannelProgress":
        return self.model_copy(update={"publications": (*self.publications, publication)})

    def with_interruption(self, day: date) -> "ChannelProgress":
        if day in self.interrupted_days:
            return self
        return self.model_copy(update={"interrupted_days": (*self.interrupted_days, day)})

    def conclusion(self, calendar: LegalCalendar) -> datetime | None:
        """When the channel's notification is deemed concluded (art. 20(1)(e)), or None."""
        moments = []
        if self.count >= REQUIRED_PUBLICATIONS:
            moments.append(calendar.end_of(self.publications[REQUIRED_PUBLICATIONS - 1].day))
        if self.channel.concludes_on_access:
            moments += [m for m in (self.accessible_at, self.confirmed_at) if m is not None]
        return min(moments) if moments else None


def notice_text(
    content: NotificationContent,
    *,
    posted_on: date,
    concludes_at: datetime,
    calendar: LegalCalendar,
) -> str:
    """The published notice, stating every element of art. 20(2)(a)-(f) in Vietnamese."""
    zone = calendar.zone()
    person, document, duty = content.person, content.document, content.obligation
    return "\n".join(
        [
            f"{content.issuing_agency.upper()} THÔNG BÁO",
            f"Người được thông báo: {person.full_name}, sinh năm {person.birth_year}, "
            f"nơi cư trú: {person.residence}.",
            f"Văn bản: {document.doc_type} số {document.number} "
            f"ngày {document.issued_on:%d/%m/%Y}.",
            f"Nội dung: {document.text}",
            f"Thời gian, thời hạn, địa điểm thực hiện nghĩa vụ: {duty.time}; {duty.deadline}; "
            f"{duty.place}.",
            f"Trách nhiệm pháp lý nếu không thực hiện: {content.consequences}",
            f"Thời điểm đăng: ngày {posted_on:%d/%m/%Y}; thời điểm kết thúc thông báo: "
            f"{concludes_at.astimezone(zone):%H giờ %M ngày %d/%m/%Y}.",
        ]
    )


CHANNEL_REQUESTS: dict[Channel, tuple[str, str]] = {
    Channel.NEWSPAPER: (
        "Báo trung ương phát hành hằng ngày (báo in hoặc báo điện tử)",
        "đăng 03 số liên tiếp (điểm a khoản 1 Điều 20)",
    ),
    Channel.BROADCAST: (
        "Đài phát thanh hoặc Đài truyền hình quốc gia",
        "phát sóng 03 lần trong 03 ngày liên tiếp (điểm a khoản 1 Điều 20)",
    ),
    Channel.ACCOUNT: (
        "Đơn vị quản lý nền tảng số có tài khoản giao dịch điện tử của người được thông báo",
        "thông báo đến tài khoản giao dịch điện tử trong 03 ngày liên tiếp "
        "(điểm b khoản 1 Điều 20)",
    ),
    Channel.NDC_APP: (
        "Trung tâm dữ liệu quốc gia (phần mềm ứng dụng dùng chung)",
        "thông báo qua các nền tảng số được liên kết trong 03 ngày liên tiếp "
        "(điểm c khoản 1 Điều 20)",
    ),
    Channel.PORTAL: (
        "Bộ phận quản trị cổng thông tin điện tử của {agency}",
        "đăng tải trên cổng thông tin điện tử trong 03 ngày liên tiếp (điểm d khoản 1 Điều 20)",
    ),
}
"""Per channel: who is asked to publish (art. 20(1)(a)-(d)) and what, in the request of
art. 20(3)(a)."""


def request_document_fields(
    content: NotificationContent,
    channels: Sequence[Channel],
    *,
    agency_name: str,
    posted_from: date,
    document_code: str | None,
) -> dict[str, object]:
    """The fields of the request to publish (doc type ``notification_request``): the content
    a-e of art. 20(2), the planned period (f) of three legal days, and per channel its
    addressee and the publications asked of it (art. 20(1), 20(3)(a))."""
    person, document, duty = content.person, content.document, content.obligation
    return {
        "channels": [
            {
                "operator": CHANNEL_REQUESTS[channel][0].format(agency=agency_name),
                "request": CHANNEL_REQUESTS[channel][1],
            }
            for channel in channels
        ],
        "issuing_agency": content.issuing_agency,
        "person_name": person.full_name,
        "person_birth_year": person.birth_year,
        "person_residence": person.residence,
        "document_type_name": document.doc_type,
        "document_number": document.number,
        "document_date": document.issued_on,
        "document_content": document.text,
        "document_code": document_code,
        "obligation_time": duty.time,
        "obligation_deadline": duty.deadline,
        "obligation_place": duty.place,
        "consequences": content.consequences,
        "posted_from": posted_from,
        "posted_until": posted_from + timedelta(days=REQUIRED_PUBLICATIONS - 1),
    }
