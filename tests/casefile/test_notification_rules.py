"""Art. 20 rules: channels, content fields a-e, counting, make-up days, conclusion."""

from datetime import UTC, date, datetime

import pytest

from casefile.errors import InvalidInput
from casefile.legaltime import LegalCalendar
from casefile.notification import (
    Channel,
    ChannelProgress,
    Form,
    Publication,
    channels_for,
    validate_content,
)

CALENDAR = LegalCalendar()
CONTENT = {
    "issuing_agency": "Cơ quan Cảnh sát điều tra Công an thành phố Hà Nội",
    "person": {
        "full_name": "Đặng Quốc Khánh",
        "birth_year": 1990,
        "residence": "phường Phú Hội, thành phố Huế",
    },
    "document": {
        "doc_type": "Giấy triệu tập",
        "number": "12/GTT-CSĐT",
        "issued_on": "2026-12-04",
        "text": "Triệu tập ông Đặng Quốc Khánh...",
    },
    "obligation": {
        "time": "08 giờ 30",
        "deadline": "ngày 15/12/2026",
        "place": "số 1 Tôn Đức Thắng, Hà Nội",
    },
    "consequences": "Nếu vắng mặt không có lý do chính đáng sẽ bị áp giải.",
}


def _published(channel: Channel, *days: int) -> ChannelProgress:
    progress = ChannelProgress(channel=channel)
    for n, day in enumerate(days, start=1):
        progress = progress.with_publication(
            Publication(
                day=date(2026, 12, day),
                at=datetime(2026, 12, day, 2, tzinfo=UTC),
                evidence_id=f"e{n}",
            )
        )
    return progress


def test_channels_always_include_the_agency_portal() -> None:
    assert channels_for([Form.ACCOUNT]) == [Channel.ACCOUNT, Channel.PORTAL]
    assert channels_for([Form.MASS_MEDIA, Form.NDC_APP]) == [
        Channel.NEWSPAPER,
        Channel.BROADCAST,
        Channel.NDC_APP,
        Channel.PORTAL,
    ]
    with pytest.raises(InvalidInput, match="at least one form"):
        channels_for([])


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("issuing_agency",), "content.issuing_agency"),
        (("person", "birth_year"), "content.person.birth_year"),
        (("document", "number"), "content.document.number"),
        (("obligation", "place"), "content.obligation.place"),
        (("consequences",), "content.consequences"),
    ],
)
def test_content_missing_field_is_named(path: tuple[str, ...], field: str) -> None:
    content = {k: dict(v) if isinstance(v, dict) else v for k, v in CONTENT.items()}
    target = content
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    with pytest.raises(InvalidInput) as error:
        validate_content(content)
    assert error.value.field == field


def test_channel_concludes_at_the_end_of_its_third_day() -> None:
    progress = _published(Channel.PORTAL, 4, 5, 6)
    assert not progress.due_on(date(2026, 12, 7))
    assert progress.conclusion(CALENDAR) == datetime(2026, 12, 6, 17, 0, tzinfo=UTC)


def test_interrupted_day_is_made_up_and_recorded() -> None:
    progress = _published(Channel.NEWSPAPER, 4).with_interruption(date(2026, 12, 5))
    assert progress.due_on(date(2026, 12, 6))
    progress = progress.with_publication(
        Publication(
            day=date(2026, 12, 6), at=datetime(2026, 12, 6, 2, tzinfo=UTC), evidence_id="e2"
        )
    )
    assert progress.count == 2 and progress.interrupted_days == (date(2026, 12, 5),)
    assert not progress.due_on(date(2026, 12, 6))
    assert progress.conclusion(CALENDAR) is None


def test_account_channel_concludes_when_the_document_is_accessible() -> None:
    accessible = datetime(2026, 12, 4, 9, tzinfo=UTC)
    progress = _published(Channel.ACCOUNT, 4).model_copy(update={"accessible_at": accessible})
    assert progress.conclusion(CALENDAR) == accessible
    assert not progress.due_on(date(2026, 12, 5))
    portal = _published(Channel.PORTAL, 4).model_copy(update={"accessible_at": accessible})
    assert portal.conclusion(CALENDAR) is None  # (d) ends only at the end of its third day
