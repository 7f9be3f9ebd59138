"""SQLite write contention: the daemon waits out a writer that holds the lock past the busy timeout.

Another connection (as `newsmon import` or a long crawl batch would) keeps a write transaction
open for longer than SQLite's busy timeout while the daemon renews its lease every second and its
scheduler records the next run of a job due every two seconds. Afterwards the daemon still holds
its lease, the scheduler still runs jobs and every run was recorded whole.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsmon.demosite import FixtureSite
from tests.test_daemon_harness import DaemonProcess, daemon_env, feed_sources, query, runs_of

pytestmark = pytest.mark.slow
HOLD_SECONDS = 15.0  # longer than the store's busy timeout (10 s)


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with FixtureSite.start(slow_delay=1) as started:
        yield started


def test_daemon_waits_out_a_long_write_lock(site: FixtureSite, tmp_path: Path) -> None:
    feed_sources(site, tmp_path / "sources.toml")
    home = tmp_path / "home"
    # no sitemap sources: the sitemap job runs every 2 s without a crawl child, only writing its
    # run records and its next run time
    env = daemon_env(home, tmp_path / "sources.toml", feeds="1h", sitemaps="2s")
    daemon = DaemonProcess(env, tmp_path / "daemon.log")
    try:
        daemon.wait_for(
            lambda events: runs_of(events, "crawl:feed") and len(runs_of(events, "crawl:sitemap")) >= 2,
            timeout=120,
        )
        holder = sqlite3.connect(home / "newsmon.db", isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            time.sleep(HOLD_SECONDS)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        released = datetime.now(UTC).replace(tzinfo=None)
        before = len(runs_of(daemon.events(), "crawl:sitemap"))
        # runs held up by the lock may all finish within a moment of its release, so the renewed
        # heartbeat is waited for on its own rather than inferred from the runs that follow
        events = daemon.wait_for(
            lambda events: len(runs_of(events, "crawl:sitemap")) >= before + 3
            and heartbeat_since(home, released),
            timeout=60,
        )
        lock = query(home, "SELECT holder, heartbeat_at FROM daemon_lock")
        assert daemon.stop(timeout=60)[0] == 0
    finally:
        daemon.kill()
    assert any("waits for another writer" in event["msg"] for event in events)  # it was contended
    assert [event for event in events if event["level"] in ("ERROR", "CRITICAL")] == []
    assert [run["outcome"] for run in runs_of(events, "crawl:sitemap")] == ["ok"] * len(
        runs_of(events, "crawl:sitemap")
    )
    ((holder_id, heartbeat),) = lock
    assert any(event.get("holder") == holder_id for event in events if event["msg"] == "daemon started")
    assert datetime.fromisoformat(str(heartbeat)) > released  # renewed after the wait, not lost
    unfinished = query(home, "SELECT id FROM daemon_runs WHERE finished_at IS NULL")
    assert unfinished == []


def heartbeat_since(home: Path, moment: datetime) -> bool:
    """True once the daemon's lease was renewed after ``moment``."""
    rows = query(home, "SELECT heartbeat_at FROM daemon_lock")
    return bool(rows) and datetime.fromisoformat(str(rows[0][0])) > moment
