"""Dates in German plain text (newsmon.dates)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from newsmon.dates import best_date, find_dates, format_date

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("16.01.2026 16:07|0 Kommentare", datetime(2026, 1, 16, 16, 7), "minute"),
        ("Veröffentlicht am 16. Januar 2026", datetime(2026, 1, 16), "day"),
        ("16. Jan. 2026, 9:05 Uhr", datetime(2026, 1, 16, 9, 5), "minute"),
        ("CointelegraphCointelegraph2026/01/16 13:20", datetime(2026, 1, 16, 13, 20), "minute"),
        ("2026-01-16T08:00", datetime(2026, 1, 16, 8, 0), "minute"),
        (" date 2025-01 Eine neue Ära", datetime(2025, 1, 1), "month"),
        ("Stand: März 2025", datetime(2025, 3, 1), "month"),
        ("am 3.2.2026", datetime(2026, 2, 3), "day"),
    ],
)
def test_german_forms(text: str, expected: datetime, precision: str) -> None:
    found = best_date(find_dates(text, BERLIN))
    assert found is not None
    assert found.value == expected.replace(tzinfo=BERLIN)
    assert found.precision == precision


@pytest.mark.parametrize(
    "text", ["31.02.2026", "Version 4.5 von 2025er Modellen", "am 18. März", "H200 und 910C"]
)
def test_no_false_dates(text: str) -> None:
    assert find_dates(text, BERLIN) == []


def test_format_respects_precision() -> None:
    moment = datetime(2025, 1, 1, tzinfo=BERLIN)
    assert format_date(moment, "month", BERLIN) == "2025-01"
    assert format_date(moment, "year", BERLIN) == "2025"
    assert (
        format_date(datetime(2026, 1, 16, 16, 7, tzinfo=BERLIN), "minute", BERLIN) == "2026-01-16T16:07+01:00"
    )
