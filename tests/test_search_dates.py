"""Searches with a date range, on SQLite (the index's day and month tokens, migration 0009) and
PostgreSQL (a B-tree range): the same articles as a plain comparison of dates in the reader's
time zone, at the edges of days, months and years and after a date changes.
"""

from __future__ import annotations

import random
from pathlib import Path
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from newsmon.config import Config
from newsmon.dates import FoundDate
from newsmon.extract import Article as CleanArticle
from newsmon.extract import RawDocument
from newsmon.ingest import Ingestor
from newsmon.search import MAX_DATE_TOKENS, date_tokens, search_articles
from newsmon.store.db import Store, create_store_engine, upgrade
from newsmon.store.models import Article
from newsmon.store.queries import ArticleFilter

TZ = ZoneInfo("Europe/Berlin")
WORDS = "Netz Chip Markt Preis Fabrik Wafer Kunde Lager Zoll Hafen Bahn Strom".split()

# publication moments in UTC around the edges a UTC-day token could get wrong: 23:30 UTC is the
# next day in Berlin, the last hours of a month and of a year, and a day inside a month
MOMENTS = [
    datetime(2025, 12, 31, 22, 30),  # 2026-01-01 in Berlin
    datetime(2025, 12, 31, 12, 0),
    datetime(2026, 1, 10, 23, 30),  # 2026-01-11 in Berlin
    datetime(2026, 1, 11, 8, 0),
    datetime(2026, 1, 31, 23, 15),  # 2026-02-01 in Berlin
    datetime(2026, 2, 14, 10, 0),
    datetime(2026, 2, 28, 22, 59),  # 2026-02-28 23:59 in Berlin
    datetime(2026, 3, 1, 0, 0),
    datetime(2026, 3, 29, 1, 30),  # the night the clocks go forward
    datetime(2026, 4, 2, 9, 0),
]


def _text(index: int) -> str:
    rng = random.Random(index)
    return " ".join(rng.choice(WORDS) for _ in range(80)) + f" Halbleiter Nummer{index}."


@pytest.fixture
def dated(store: Store, config: Config) -> dict[int, datetime]:
    """Article id -> publication moment (naive UTC); every article contains "Halbleiter"."""
    ingestor = Ingestor(store, config)
    moments = {}
    for index, moment in enumerate(MOMENTS):
        url = f"https://news.example/{index}.html"
        when = moment.replace(tzinfo=UTC)
        found_date = FoundDate(when, "minute", "fixture")
        article = CleanArticle(url, f"Bericht {index}", _text(index), "de", found_date)
        result = ingestor.ingest(RawDocument(url, article.text, "text", fetched_at=when), article)
        assert result.status == "stored" and result.article_id is not None, result
        moments[result.article_id] = moment
    return moments


def _expected(moments: dict[int, datetime], since: date | None, until: date | None) -> set[int]:
    def local_day(moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(TZ).date()

    return {
        article_id
        for article_id, moment in moments.items()
        if (since is None or local_day(moment) >= since) and (until is None or local_day(moment) <= until)
    }


def _found(store: Store, since: date | None, until: date | None) -> set[int]:
    with store.session() as session:
        filters = ArticleFilter(query="Halbleiter", since=since, until=until, limit=None)
        return {row["id"] for row in search_articles(session, filters, TZ)}


RANGES = [
    (date(2026, 1, 1), date(2026, 1, 1)),  # one Berlin day, which starts the day before in UTC
    (date(2026, 1, 11), date(2026, 1, 11)),
    (date(2026, 1, 1), date(2026, 1, 31)),  # a whole month
    (date(2026, 2, 1), date(2026, 2, 28)),
    (date(2025, 12, 1), date(2026, 2, 28)),  # months across a year's end
    (date(2026, 1, 15), date(2026, 3, 1)),  # part of a month, a whole month, a day
    (date(2026, 3, 29), date(2026, 3, 29)),
    (date(2026, 1, 5), date(2026, 1, 18)),  # two whole weeks
    (date(2025, 12, 29), date(2026, 1, 4)),  # the weeks around a new year
    (date(2026, 1, 11), None),  # open ends reach the store's first and last date
    (None, date(2026, 1, 10)),
    (date(2027, 1, 1), None),  # after the last article
    (date(2026, 2, 2), date(2026, 2, 1)),  # an empty range
]


@pytest.mark.parametrize(("since", "until"), RANGES)
def test_a_date_range_finds_what_comparing_the_dates_finds(
    store: Store, dated: dict[int, datetime], since: date | None, until: date | None
) -> None:
    assert _found(store, since, until) == _expected(dated, since, until)


def test_the_index_follows_a_changed_date(store: Store, dated: dict[int, datetime]) -> None:
    moved = next(iter(dated))
    with store.engine.begin() as connection:
        move = update(Article).where(Article.id == moved)
        connection.execute(move.values(published_at=datetime(2026, 6, 15, 9)))
    assert moved in _found(store, date(2026, 6, 1), date(2026, 6, 30))
    assert moved not in _found(store, date(2025, 12, 31), date(2026, 1, 1))


def test_date_tokens_take_whole_months_and_the_days_around_them() -> None:
    assert date_tokens(date(2026, 1, 30), date(2026, 3, 2)) == [
        "d20260130",
        "d20260131",
        "m202602",
        "d20260301",
        "d20260302",
    ]
    assert date_tokens(date(2025, 12, 1), date(2026, 1, 31)) == ["m202512", "m202601"]
    # whole weeks (Monday to Sunday; a year's last and first weeks end and start with the year)
    assert date_tokens(date(2025, 12, 20), date(2026, 1, 12)) == [
        "d20251220",
        "d20251221",
        "w202551",
        "w202552",
        "w202600",
        "w202601",
        "d20260112",
    ]
    assert date_tokens(date(2026, 2, 2), date(2026, 2, 1)) == []
    # past the limit no tokens (the range is then checked on the rows alone): 30 years of months
    assert len(date_tokens(date(2000, 1, 2), date(2014, 12, 31))) <= MAX_DATE_TOKENS
    assert date_tokens(date(2000, 1, 2), date(2030, 1, 1)) == []


def test_the_upgrade_indexes_the_dates_of_stored_articles(tmp_path: Path, config: Config) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_store_engine(url)
    try:
        upgrade(engine, "0008")
        old = Store(engine)
        when = datetime(2026, 1, 20, 12, tzinfo=UTC)
        found_date = FoundDate(when, "minute", "fixture")
        article = CleanArticle("https://x.example/a", "Bericht", _text(1), "de", found_date)
        stored = Ingestor(old, config).ingest(RawDocument(article.url, article.text, "text"), article)
        upgrade(engine)
        assert _found(old, date(2026, 1, 1), date(2026, 1, 31)) == {stored.article_id}
        assert _found(old, date(2026, 2, 1), date(2026, 2, 28)) == set()
    finally:
        engine.dispose()
