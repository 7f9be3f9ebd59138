"""Source health in the core: back-off, failing and silent sources, and `newsmon crawl` keeping
the same back-off as the daemon.

The judgement runs on real stores (SQLite and PostgreSQL) with planted sources and addresses;
the command runs as a user runs it, in its own process against the fixture site.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, select, text

from crawler.crawlrun import save_interrupted
from crawler.targets import Target
from newsmon.config import ScheduleSettings
from newsmon.demosite import FixtureSite
from newsmon.health import (
    apply_backoff,
    backoff_delay,
    seen_query,
    source_health,
    sources_needing_attention,
)
from newsmon.store.db import Store
from newsmon.store.models import Article, ArticleUrl, Source
from tests.conftest import query_plan
from tests.test_daemon_harness import newsmon

NOW = datetime(2026, 11, 23, 12, 0)
DAY = timedelta(days=1)


def test_backoff_doubles_per_failure_up_to_the_ceiling() -> None:
    settings = ScheduleSettings(backoff="30m", backoff_max="3h")
    delays = [backoff_delay(failures, settings) for failures in (1, 2, 3, 4, 5, 100)]
    minutes = [delay / timedelta(minutes=1) for delay in delays]
    assert minutes == [30, 60, 120, 180, 180, 180]


def _source(store: Store, name: str, **values: Any) -> int:
    row = {"kind": "feed", "enabled": True, "created_at": NOW - 30 * DAY, "origin": "user", **values}
    with store.engine.begin() as connection:
        inserted = connection.execute(insert(Source).values(name=name, **row).returning(Source.id))
        return int(inserted.scalar_one())


def _seen(store: Store, source_id: int, *moments: datetime) -> None:
    """Addresses of ``source_id`` seen at ``moments`` (copies of one article: only they count)."""
    with store.engine.begin() as connection:
        article_id = connection.scalar(text("SELECT min(id) FROM articles"))
        if article_id is None:
            article_id = connection.execute(
                insert(Article)
                .values(
                    canonical_url="https://example.org/a",
                    url="https://example.org/a",
                    title="T",
                    title_origin="h1",
                    text="x",
                    fetched_at=NOW,
                    content_hash="0" * 32,
                    word_count=1,
                    shingle_count=1,
                    minhash=b"",
                )
                .returning(Article.id)
            ).scalar_one()
        for moment in moments:
            url = f"https://example.org/{source_id}/{moment.isoformat()}"
            connection.execute(
                insert(ArticleUrl).values(
                    article_id=article_id, url=url, canonical_url=url, source_id=source_id, seen_at=moment
                )
            )


def test_failing_and_silent_sources_need_attention_worst_first(store: Store) -> None:
    settings = ScheduleSettings(unhealthy_after=3)
    failing = _source(store, "failing", consecutive_failures=4, last_error="HTTP 503", outlet="Eins")
    _source(store, "once", consecutive_failures=1, last_outcome="failed: timeout")
    silent = _source(store, "silent")
    steady = _source(store, "steady")
    off = _source(store, "off", enabled=False, consecutive_failures=9)
    imported = _source(store, "imported", kind="import", consecutive_failures=2)
    _seen(store, silent, NOW - 10 * DAY, NOW - 9 * DAY)
    _seen(store, steady, NOW - 10 * DAY, NOW - 2 * DAY)
    _seen(store, failing, NOW - DAY)
    _seen(store, off, NOW - 10 * DAY)
    _seen(store, imported, NOW - 10 * DAY)

    judged = {health.name: health for health in source_health(store, settings, NOW)}
    assert list(judged) == ["failing", "once", "silent"]
    assert (judged["failing"].unhealthy, judged["failing"].error, judged["failing"].outlet) == (
        True,
        "HTTP 503",
        "Eins",
    )
    assert (judged["once"].unhealthy, judged["once"].error) == (False, "failed: timeout")
    assert (judged["silent"].silent, judged["silent"].seen_week_before, judged["silent"].seen_last_week) == (
        True,
        2,
        0,
    )
    assert not judged["failing"].silent and judged["failing"].seen_last_week == 1

    # another period, as the digest asks for its ISO week: the silent source was still delivering
    with store.session() as session:
        earlier = sources_needing_attention(
            session, (NOW - 14 * DAY, NOW - 7 * DAY), (NOW - 21 * DAY, NOW - 14 * DAY)
        )
    assert [health.name for health in earlier] == ["failing", "once"]


def test_backoff_is_set_for_the_sources_crawled_since(store: Store) -> None:
    settings = ScheduleSettings(backoff="10m", backoff_max="1d")
    _source(store, "dead", consecutive_failures=2, last_crawled_at=NOW)
    _source(store, "fine", consecutive_failures=0, last_crawled_at=NOW, next_attempt_at=NOW + DAY)
    _source(store, "earlier", consecutive_failures=5, last_crawled_at=NOW - DAY)
    assert apply_backoff(store, settings, NOW - timedelta(minutes=1)) == 1
    with store.engine.connect() as connection:
        due = dict(connection.execute(select(Source.name, Source.next_attempt_at)).all())
    assert due["dead"] == NOW + timedelta(minutes=20)
    assert due["fine"] is None  # a success clears the wait
    assert due["earlier"] is None  # not crawled since: left alone


def test_a_crawl_that_never_recorded_its_sources_leaves_each_the_reason(store: Store) -> None:
    started = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=5)
    _source(store, "recorded", last_crawled_at=started + timedelta(seconds=1), last_outcome="ok: 3 listed")
    _source(
        store, "stale", consecutive_failures=1, last_crawled_at=started - DAY, last_outcome="ok: 9 listed"
    )
    targets = [
        Target("recorded", "feed", "https://example.org/recorded.xml"),
        Target("stale", "feed", "https://example.org/stale.xml"),
        Target("new", "feed", "https://example.org/new.xml"),  # no row yet: one is made
    ]
    reason = "crawl timeout after 600 s (exit -9)"
    assert save_interrupted(store, targets, started, reason) == ["new", "stale"]
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(Source.name, Source.last_outcome, Source.last_error, Source.consecutive_failures)
        ).all()
    state = {name: (outcome, error, failures) for name, outcome, error, failures in rows}
    assert state["recorded"] == ("ok: 3 listed", None, 0)  # what the crawl wrote itself stands
    # the crawl, not the source, failed: failure counts (and the back-off) stay as they were
    assert state["stale"] == (f"interrupted: {reason}", reason, 1)
    assert state["new"] == (f"interrupted: {reason}", reason, 0)
    assert save_interrupted(store, targets, started, reason) == []  # all recorded now


def test_a_periods_deliveries_are_counted_from_an_index_range(store: Store) -> None:
    """Health counts per source what it delivered in a week: on a million addresses a scan of
    all of them took 0.2 s per period."""
    sources = [_source(store, f"quelle-{number}") for number in range(3)]
    _seen(store, sources[0], NOW)  # makes the article the addresses belong to
    moments = [NOW - timedelta(hours=3 * number) for number in range(1, 5000)]
    with store.engine.begin() as connection:
        article_id = connection.scalar(text("SELECT min(id) FROM articles"))
        connection.execute(
            insert(ArticleUrl),
            [
                {
                    "article_id": article_id,
                    "url": f"https://example.org/{number}",
                    "canonical_url": f"https://example.org/{number}",
                    "source_id": sources[number % 3],
                    "seen_at": moment,
                }
                for number, moment in enumerate(moments)
            ],
        )
        connection.exec_driver_sql("ANALYZE")
    week = seen_query(NOW - 7 * DAY, NOW)
    plan = query_plan(store, week)
    with store.engine.connect() as connection:
        counts = dict(connection.execute(week).all())
    assert "ix_article_urls_seen_at_source_id" in plan, plan
    in_week = [number for number, moment in enumerate(moments) if moment >= NOW - 7 * DAY]
    expected = {source: sum(n % 3 == index for n in in_week) for index, source in enumerate(sources)}
    assert counts == expected


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with FixtureSite.start(slow_delay=1) as started:
        yield started


def _crawl(home: Path, sources: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "NEWSMON_HOME": str(home),
        "NEWSMON_DATABASE_URL": f"sqlite:///{home / 'newsmon.db'}",
        "NEWSMON_CONFIG": "",
        "NEWSMON_SOURCES_FILE": str(sources),
        "NEWSMON_CRAWL__ALLOW_PRIVATE_HOSTS": "127.0.0.1",
        "NEWSMON_CRAWL__DELAY": "0",
        "NEWSMON_SCHEDULE__BACKOFF": "30m",
    }
    result = newsmon(env, "crawl", "--json", *args)
    assert result.returncode == 0, result.stderr
    return result


def _state(home: Path) -> tuple[int, datetime | None, datetime | None]:
    engine = create_engine(f"sqlite:///{home / 'newsmon.db'}")
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT consecutive_failures, last_crawled_at, next_attempt_at"
                    " FROM sources WHERE name = 'kaputt'"
                )
            ).one()
    finally:
        engine.dispose()
    return row[0], *(None if value is None else datetime.fromisoformat(str(value)) for value in row[1:])


@pytest.mark.slow
def test_crawl_command_backs_off_failing_sources_like_the_daemon(site: FixtureSite, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "kaputt"\noutlet = "Technikwelt"\nkind = "feed"\n'
        f'url = "{site.url("technikwelt", "/feeds/gibt-es-nicht.xml")}"\n',
        encoding="utf-8",
    )
    home = tmp_path / "home"
    _crawl(home, sources)
    failures, crawled, due = _state(home)
    assert failures == 1 and crawled is not None
    assert due == crawled + timedelta(minutes=30)

    skipped = _crawl(home, sources)  # all sources: the failing one rests
    assert "backing off after failures, skipped" in skipped.stderr and "kaputt until" in skipped.stderr
    assert _state(home) == (failures, crawled, due)

    _crawl(home, sources, "--source", "kaputt")  # named: crawled now, and waits twice as long
    failures, crawled, due = _state(home)
    assert failures == 2 and crawled is not None
    assert due == crawled + timedelta(minutes=60)
