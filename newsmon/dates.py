"""Publication dates written in plain text, in the forms German sites print them.

htmldate reads dates from HTML markup and URLs; imported plain text and page headers need the
textual forms too ("16.01.2026 16:07", "16. Januar 2026", "2026/01/16 13:20", "2025-01") and,
unlike htmldate, we keep how precise the statement was (minute, day, month, year), because a
month-only date must not be shown or compared as the first of that month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

Precision = Literal["minute", "day", "month", "year"]

MONTHS = {
    "januar": 1,
    "jänner": 1,
    "jan": 1,
    "january": 1,
    "februar": 2,
    "feber": 2,
    "feb": 2,
    "february": 2,
    "märz": 3,
    "maerz": 3,
    "mär": 3,
    "mrz": 3,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "june": 6,
    "juli": 7,
    "jul": 7,
    "july": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "dezember": 12,
    "dez": 12,
    "december": 12,
    "dec": 12,
}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_TIME = r"(?:,?\s*(?:um\s+)?(?P<hour>[01]?\d|2[0-3])[:.](?P<minute>[0-5]\d)(?::[0-5]\d)?(?:\s*Uhr)?)?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # 16.01.2026 16:07 / 16.1.2026
    (
        "dmy",
        re.compile(
            r"(?<![\d.])(?P<day>[0-3]?\d)\.\s?(?P<month>[01]?\d)\.\s?(?P<year>(?:19|20)\d\d)(?!\d)" + _TIME
        ),
    ),
    # 16. Januar 2026 / 16 Jan. 2026
    (
        "d_month_y",
        re.compile(
            r"(?<!\d)(?P<day>[0-3]?\d)\.?\s+(?P<month_name>"
            + _MONTH_NAMES
            + r")\.?\s+(?P<year>(?:19|20)\d\d)(?!\d)"
            + _TIME,
            re.IGNORECASE,
        ),
    ),
    # 2026-01-16T16:07 / 2026/01/16 13:20
    (
        "ymd",
        re.compile(
            r"(?<![\d/-])(?P<year>(?:19|20)\d\d)(?P<sep>[-/])(?P<month>[01]\d)(?P=sep)(?P<day>[0-3]\d)(?![\d/-])"
            r"(?:[T\s]+(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d))?"
        ),
    ),
    # Januar 2026
    (
        "month_y",
        re.compile(
            r"(?<![\w.])(?P<month_name>" + _MONTH_NAMES + r")\.?\s+(?P<year>(?:19|20)\d\d)(?!\d)",
            re.IGNORECASE,
        ),
    ),
    # 2025-01
    ("ym", re.compile(r"(?<![\d/-])(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)(?![\d-])")),
)
_RANK = {"minute": 0, "day": 1, "month": 2, "year": 3}


@dataclass(frozen=True)
class FoundDate:
    """A publication date with how precisely the source stated it and where it came from."""

    value: datetime  # timezone-aware; the start of the stated period
    precision: Precision
    origin: str
    start: int = 0  # character offset of the match, for removing the date line from the text
    end: int = 0


def _to_date(match: re.Match[str], tz: ZoneInfo) -> tuple[datetime, Precision] | None:
    fields = match.groupdict()
    year = int(fields["year"])
    if fields.get("month_name"):
        month = MONTHS[fields["month_name"].lower()]
    else:
        month = int(fields["month"])
    day = int(fields["day"]) if fields.get("day") else None
    hour = fields.get("hour")
    try:
        if day is None:
            return datetime(year, month, 1, tzinfo=tz), "month"
        if hour is not None:
            return datetime(year, month, day, int(hour), int(fields["minute"]), tzinfo=tz), "minute"
        return datetime(year, month, day, tzinfo=tz), "day"
    except ValueError:
        return None  # 31.02.2026 and friends


def find_dates(text: str, tz: ZoneInfo, origin: str = "text") -> list[FoundDate]:
    """All plausible dates in ``text`` in order of appearance; overlapping weaker matches dropped."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for _, pattern in _PATTERNS:  # most specific patterns first, so they claim their span
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and end > t_start for t_start, t_end in taken):
                continue
            parsed = _to_date(match, tz)
            if parsed is None:
                continue
            taken.append((start, end))
            found.append(FoundDate(parsed[0], parsed[1], origin, start, end))
    return sorted(found, key=lambda item: item.start)


def best_date(dates: list[FoundDate]) -> FoundDate | None:
    """The first most precise date: headers print the publication time before anything else."""
    if not dates:
        return None
    return min(dates, key=lambda item: (_RANK[item.precision], item.start))


def format_date(value: datetime | None, precision: str | None, tz: ZoneInfo) -> str | None:
    """Render a stored date no more precisely than it was stated (ISO 8601 forms)."""
    if value is None:
        return None
    local = value.astimezone(tz)
    if precision == "year":
        return f"{local:%Y}"
    if precision == "month":
        return f"{local:%Y-%m}"
    if precision == "day":
        return f"{local:%Y-%m-%d}"
    return local.isoformat(timespec="minutes")
