"""ISO weeks in the configured time zone: parsing ``2026-W03``, bounds, the last complete week.

A digest covers Monday 00:00 to the next Monday 00:00 *local* time; the store keeps naive UTC,
so the bounds are converted once here and every query compares against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from reports.errors import DigestError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, value: str) -> IsoWeek:
        """``2026-W03`` → IsoWeek(2026, 3); a wrong value is a DigestError naming it."""
        match = _WEEK.match(value.strip())
        if not match:
            raise DigestError(f"week {value!r}: expected YYYY-Www, e.g. 2026-W03")
        year, week = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise DigestError(f"week {value!r}: {year} has no ISO week {week}") from None
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def last_complete(cls, now: datetime, tz: ZoneInfo) -> IsoWeek:
        """The week before the one ``now`` falls in, in ``tz`` (a Monday run covers last week)."""
        return cls.of(now.astimezone(tz).date()).previous()

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def days(self) -> list[date]:
        return [self.monday + timedelta(days=offset) for offset in range(7)]

    def previous(self) -> IsoWeek:
        return IsoWeek.of(self.monday - timedelta(days=7))

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) of the week as naive UTC, the form the store compares with."""
        return _utc(self.monday, tz), _utc(self.monday + timedelta(days=7), tz)


def _utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def naive_utc(moment: datetime) -> datetime:
    """An aware time as the store keeps times: naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)
