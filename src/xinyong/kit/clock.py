"""Injectable time. Every rule that depends on "today" asks a Clock, never the system directly."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), name="Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def today(self) -> dt.date: ...


class SystemClock:
    """The real clock, in China Standard Time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(CHINA_TZ)

    def today(self) -> dt.date:
        return self.now().date()


class FixedClock:
    """A clock stopped at a given instant; tests move it by hand."""

    def __init__(self, at: dt.datetime | dt.date) -> None:
        if isinstance(at, dt.datetime):
            self._now = at if at.tzinfo else at.replace(tzinfo=CHINA_TZ)
        else:
            self._now = dt.datetime.combine(at, dt.time(9, 0), tzinfo=CHINA_TZ)

    def now(self) -> dt.datetime:
        return self._now

    def today(self) -> dt.date:
        return self._now.date()

    def advance(self, delta: dt.timedelta) -> None:
        self._now = self._now + delta

    def set(self, at: dt.datetime | dt.date) -> None:
        """Move the clock to another instant (a date means 09:00 that day)."""
        self._now = FixedClock(at).now()


def as_aware(value: dt.datetime) -> dt.datetime:
    """A stored instant as an aware datetime. SQLite gives back the naive wall time that a Clock
    (China Standard Time) wrote; PostgreSQL gives back an aware one."""
    return value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)
