"""Legal days in Asia/Ho_Chi_Minh, and the demo calendar with short days."""

from datetime import UTC, date, datetime, timedelta

from casefile.legaltime import LegalCalendar


def test_legal_day_is_the_calendar_day_in_vietnam_not_utc() -> None:
    calendar = LegalCalendar()
    late_utc = datetime(2026, 12, 4, 18, 30, tzinfo=UTC)  # 01:30 on the 5th in Hà Nội
    assert calendar.day_of(late_utc) == date(2026, 12, 5)
    assert calendar.end_of(date(2026, 12, 5)) == datetime(2026, 12, 5, 17, 0, tzinfo=UTC)


def test_until_next_day_reaches_vietnamese_midnight() -> None:
    calendar = LegalCalendar()
    moment = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # 23:00 in Hà Nội
    assert calendar.until_next_day(moment) == timedelta(hours=1)


def test_demo_calendar_days_last_day_seconds() -> None:
    epoch = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)  # 10:00 on the 4th in Hà Nội
    calendar = LegalCalendar(day_seconds=300, epoch=epoch)
    assert calendar.day_of(epoch) == date(2026, 12, 4)
    assert calendar.day_of(epoch + timedelta(seconds=299)) == date(2026, 12, 4)
    assert calendar.day_of(epoch + timedelta(seconds=300)) == date(2026, 12, 5)
    assert calendar.end_of(date(2026, 12, 6)) == epoch + timedelta(seconds=900)
    assert calendar.until_next_day(epoch + timedelta(seconds=10)) == timedelta(seconds=290)
