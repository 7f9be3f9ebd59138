"""Crawl children that go wrong: one that hangs is killed at its timeout, one killed with SIGKILL
mid-crawl leaves a consistent store; either way the next cycle runs and stores what was missed.

The hang is real: the feed's server sends headers and a first part of the body, then nothing,
with the download timeout longer than the crawl's, so only the daemon's hard timeout ends it.
The SIGKILL comes once the store holds some of the feed's articles but not all of them.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsmon.demosite import FixtureSite
from tests.test_daemon_harness import (
    DaemonProcess,
    child_pids,
    daemon_env,
    expected_articles,
    group_members,
    inconsistencies,
    query,
    runs_of,
    status,
)

pytestmark = pytest.mark.slow
CRAWL_TIMEOUT = 120.0  # well above a normal cycle of this feed (10-60 s on a busy machine)


class HangingFeed:
    """Serves ``feed`` (bytes) at /feed.xml, except the first request, which never completes."""

    def __init__(self, feed: bytes) -> None:
        self.release = threading.Event()
        self.hung = threading.Event()
        hanging = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/feed.xml":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml")
                self.send_header("Content-Length", str(len(feed)))
                self.end_headers()
                if hanging.hung.is_set():
                    self.wfile.write(feed)
                    return
                hanging.hung.set()
                self.wfile.write(feed[:200])
                self.wfile.flush()
                hanging.release.wait(300)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the test reads the daemon's log, not this server's."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"

    def __enter__(self) -> HangingFeed:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def write_sources(path: Path, url: str) -> None:
    path.write_text(f'[[source]]\nname = "feed-0"\noutlet = "Fixture"\nkind = "feed"\nurl = "{url}"\n')


def articles(database: Path) -> int:
    return int(query(database, "SELECT count(*) FROM articles")[0][0])


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with FixtureSite.start(slow_delay=2.5) as started:
        yield started


def test_hanging_crawl_is_killed_at_its_timeout_and_the_next_cycle_stores(
    site: FixtureSite, tmp_path: Path
) -> None:
    # the second outlet's Atom feed lists no slow page: with the long download timeout below,
    # every page of the cycle after the hang answers at once
    atom = site.feeds["technikwelt"][1]
    with urllib.request.urlopen(atom, timeout=10) as response:
        feed = response.read()
    home = tmp_path / "home"
    with HangingFeed(feed) as hanging:
        write_sources(tmp_path / "sources.toml", hanging.url)
        env = daemon_env(home, tmp_path / "sources.toml", crawl_timeout=f"{CRAWL_TIMEOUT:.0f}s")
        env["NEWSMON_CRAWL__DOWNLOAD_TIMEOUT"] = str(3 * CRAWL_TIMEOUT)  # the hang outlasts the crawl
        daemon = DaemonProcess(env, tmp_path / "daemon.log")
        try:
            events = daemon.wait_for(
                lambda events: "ok" in [run["outcome"] for run in runs_of(events, "crawl:feed")],
                timeout=CRAWL_TIMEOUT + 300,
            )
            during = status(env)
            assert daemon.stop(timeout=60)[0] == 0
        finally:
            daemon.kill()
        assert hanging.hung.is_set()
    hung, after = runs_of(events, "crawl:feed")[:2]
    assert hung["outcome"] == "timeout"
    assert CRAWL_TIMEOUT <= hung["child_seconds"] < CRAWL_TIMEOUT + 10
    assert hung["returncode"] == -signal.SIGKILL
    assert hung["interrupted_sources"] == ["feed-0"]  # its source shows the timeout, not its last result
    assert group_members(child_pids(events)[0]) == []  # the child and its workers are gone
    assert after["outcome"] == "ok"
    assert after["stored"] == articles(home) == expected_articles(site, [atom])  # all of them, then
    assert during["counts"]["runs_last_day"]["timeout"] == 1
    outcomes = query(home, "SELECT outcome FROM daemon_runs WHERE job = 'crawl:feed' ORDER BY id")
    assert [row.outcome for row in outcomes[:2]] == ["timeout", "ok"]
    assert inconsistencies(home) == {}


def test_crawl_killed_mid_crawl_leaves_a_consistent_store_and_the_next_cycle_completes_it(
    site: FixtureSite, tmp_path: Path
) -> None:
    feed = site.feeds["tagesblick"][0]  # 33 entries, most of them articles
    write_sources(tmp_path / "sources.toml", feed)
    home = tmp_path / "home"
    env = daemon_env(home, tmp_path / "sources.toml", crawl_timeout="300s")
    env["NEWSMON_CRAWL__DELAY"] = "0.5"  # a crawl of some seconds: time to kill it halfway
    expected = expected_articles(site, [feed])
    daemon = DaemonProcess(env, tmp_path / "daemon.log")
    try:
        events = daemon.wait_for(lambda events: len(child_pids(events)) >= 1, timeout=60)
        child = child_pids(events)[0]
        deadline = time.monotonic() + 120
        while not (home / "newsmon.db").exists() or articles(home) == 0:
            assert time.monotonic() < deadline, "the crawl stored nothing"
            time.sleep(0.05)
        os.kill(child, signal.SIGKILL)
        stored_when_killed = articles(home)
        events = daemon.wait_for(
            lambda events: [run["outcome"] for run in runs_of(events, "crawl:feed")][:2] == ["crashed", "ok"],
            timeout=180,
        )
        assert daemon.stop(timeout=60)[0] == 0
    finally:
        daemon.kill()
    assert 0 < stored_when_killed < expected  # killed mid-crawl, not before or after
    assert group_members(child) == []  # its extraction workers did not outlive it
    killed, after = runs_of(events, "crawl:feed")[:2]
    assert killed["returncode"] == -signal.SIGKILL
    assert killed["interrupted_sources"] == ["feed-0"]
    assert after["stored"] == expected - stored_when_killed
    assert articles(home) == expected
    assert inconsistencies(home) == {}
