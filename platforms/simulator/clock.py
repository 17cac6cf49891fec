"""Clocks and the legal calendar that the simulated platforms publish by.

The simulator reads the time from a :class:`Clock` (real time by default, a
:class:`ManualClock` in tests) and maps it onto a *legal* local time in
Asia/Ho_Chi_Minh through a :class:`LegalCalendar`. With the default day length of
86 400 s the legal time is the real local time. A shorter day (``--day-seconds 300``)
makes a legal day last five real minutes, so a demo can watch the three consecutive
days of a public notification (Joint Circular art. 20(1)) pass: newspaper issues,
portal days and broadcast slots all follow that accelerated calendar.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = [
    "DAY_SECONDS",
    "LEGAL_TZ",
    "Clock",
    "LegalCalendar",
    "ManualClock",
    "SystemClock",
]

LEGAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY_SECONDS = 86_400.0


class Clock(Protocol):
    """A source of the current instant (timezone-aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to (tests)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` and return the new instant."""
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._now = instant.astimezone(UTC)


@dataclass(frozen=True)
class LegalCalendar:
    """A linear map from real instants to legal local time.

    At ``anchor`` (a real instant) the legal time is ``anchor_legal``; from there legal
    time runs ``86400 / day_seconds`` times as fast as real time. The anchor is kept in
    the simulator's state, so a restart continues the same calendar.
    """

    anchor: datetime
    """Real instant (UTC) where the map is pinned."""
    anchor_legal: datetime
    """Legal local time at ``anchor``."""
    day_seconds: float = DAY_SECONDS
    """Real seconds in one legal day."""

    @classmethod
    def starting_at(cls, instant: datetime, day_seconds: float = DAY_SECONDS) -> LegalCalendar:
        """A calendar whose legal time equals the real local time at ``instant``."""
        return cls(instant.astimezone(UTC), instant.astimezone(LEGAL_TZ), day_seconds)

    @property
    def speed(self) -> float:
        return DAY_SECONDS / self.day_seconds

    def legal(self, instant: datetime) -> datetime:
        """Legal local time (Asia/Ho_Chi_Minh) at the real ``instant``."""
        elapsed = (instant - self.anchor) * self.speed
        return (self.anchor_legal.astimezone(UTC) + elapsed).astimezone(LEGAL_TZ)

    def instant(self, legal: datetime) -> datetime:
        """The real instant at which the legal clock shows ``legal``."""
        return (self.anchor + (legal - self.anchor_legal) / self.speed).astimezone(UTC)

    def day(self, instant: datetime) -> date:
        """The legal calendar day at the real ``instant``."""
        return self.legal(instant).date()

    @staticmethod
    def at(day: date, clock_time: time) -> datetime:
        """Legal local time ``clock_time`` on ``day``."""
        return datetime.combine(day, clock_time, LEGAL_TZ)

    def rebased(self, instant: datetime, day_seconds: float) -> LegalCalendar:
        """The same calendar up to ``instant``, running at a new day length afterwards."""
        return LegalCalendar(instant.astimezone(UTC), self.legal(instant), day_seconds)
