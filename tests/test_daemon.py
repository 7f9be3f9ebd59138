"""`newsmon run` as a subprocess against the fixture site, with intervals of seconds.

Three crawl cycles store the expected articles once; SIGTERM stops the daemon within the grace
period with exit 0; a restart goes on without duplicates or lost URLs (on SQLite and PostgreSQL);
a second daemon on the same database does not start a scheduler.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmon.demosite import FixtureSite
from tests.test_daemon_harness import (
    DaemonProcess,
    daemon_env,
    expected_articles,
    feed_sources,
    inconsistencies,
    query,
    runs_of,
)

pytestmark = pytest.mark.slow
GRACE = 10.0


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with FixtureSite.start(slow_delay=2.5) as started:
        yield started


def test_cycles_store_once_stop_on_sigterm_and_resume(site: FixtureSite, tmp_path: Path, db_url: str) -> None:
    """On SQLite and on PostgreSQL (the conftest's schema of this test run)."""
    feeds = feed_sources(site, tmp_path / "sources.toml")
    env = daemon_env(tmp_path / "home", tmp_path / "sources.toml", db_url, grace_seconds=str(GRACE))
    daemon = DaemonProcess(env, tmp_path / "daemon.log")
    try:
        events = daemon.wait_for(lambda events: len(runs_of(events, "crawl:feed")) >= 3, timeout=240)
        code, seconds = daemon.stop(timeout=GRACE + 20)
    finally:
        daemon.kill()
    assert code == 0
    assert seconds < GRACE + 5
    cycles = runs_of(events, "crawl:feed")
    assert [cycle["outcome"] for cycle in cycles[:3]] == ["ok", "ok", "ok"]
    assert cycles[0]["stored"] > 0
    assert [cycle["stored"] for cycle in cycles[1:3]] == [0, 0]
    (articles,) = query(db_url, "SELECT count(*) FROM articles")[0]
    assert articles == expected_articles(site, feeds)
    assert inconsistencies(db_url) == {}
    urls_before = {row.canonical_url for row in query(db_url, "SELECT canonical_url FROM article_urls")}

    again = DaemonProcess(env, tmp_path / "daemon2.log")
    try:
        again.wait_for(lambda events: len(runs_of(events, "crawl:feed")) >= 1, timeout=120)
        code, _ = again.stop(timeout=GRACE + 20)
    finally:
        again.kill()
    assert code == 0
    assert query(db_url, "SELECT count(*) FROM articles")[0][0] == articles
    assert {row.canonical_url for row in query(db_url, "SELECT canonical_url FROM article_urls")} == urls_before
    assert inconsistencies(db_url) == {}
    assert query(db_url, "SELECT count(*) FROM daemon_lock")[0][0] == 0  # released on stop


def test_second_daemon_on_the_same_database_does_not_start(site: FixtureSite, tmp_path: Path) -> None:
    feed_sources(site, tmp_path / "sources.toml")
    env = daemon_env(tmp_path / "home", tmp_path / "sources.toml", feeds="1h")
    first = DaemonProcess(env, tmp_path / "first.log")
    try:
        first.wait_for(lambda events: any(e["msg"] == "daemon started" for e in events), timeout=30)
        second = DaemonProcess(env, tmp_path / "second.log")
        assert second.process.wait(30) == 1
        second.handle.close()
        events = second.events()
        assert any("another daemon runs on this database" in event["msg"] for event in events)
        assert not any(event["msg"] == "daemon started" for event in events)
        assert first.stop(timeout=30)[0] == 0
    finally:
        first.kill()
