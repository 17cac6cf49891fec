"""Legal time: procedural days are calendar days in Vietnam's time zone, counted from the
workflow's clock, never the machine's.

A demo calendar can make a legal day last a few minutes (``day_seconds``), so a person can
watch a three-day public notification conclude; production uses real calendar days.

Legal basis: Joint Circular art. 20(1) ("three consecutive days", "end of the third day");
CPC art. 134 (how procedural time limits are counted).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LegalCalendar"]


class LegalCalendar(BaseModel):
    """How moments map to legal days; travels in workflow inputs as part of a policy."""

    model_config = ConfigDict(frozen=True)

    time_zone: str = "Asia/Ho_Chi_Minh"
    day_seconds: int | None = Field(default=None, ge=10)
    """Demo mode: a legal day lasts this many seconds from ``epoch``; None means real days."""
    epoch: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    """Start of demo day 0 (only with ``day_seconds``); its date in the zone is day 0's date."""

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def day_of(self, moment: datetime) -> date:
        """The legal day a moment falls on."""
        if self.day_seconds is None:
            return moment.astimezone(self.zone()).date()
        elapsed = (moment - self.epoch).total_seconds()
        return self.epoch.astimezone(self.zone()).date() + timedelta(
            days=int(elapsed // self.day_seconds)
        )

    def start_of(self, day: date) -> datetime:
        """The first instant of a legal day (aware, UTC)."""
        if self.day_seconds is None:
            return datetime.combine(day, time(0), tzinfo=self.zone()).astimezone(UTC)
        offset = (day - self.epoch.astimezone(self.zone()).date()).days
        return (self.epoch + timedelta(seconds=offset * self.day_seconds)).astimezone(UTC)

    def end_of(self, day: date) -> datetime:
        """The end of a legal day: the first instant of the next one."""
        return self.start_of(day + timedelta(days=1))

    def until_next_day(self, moment: datetime) -> timedelta:
        """How long from ``moment`` until the next legal day starts (for a durable timer)."""
        return self.end_of(self.day_of(moment)) - moment
