"""Running `newsmon run` as a subprocess against the fixture site, for the daemon tests and the soak
benchmark (no tests of its own).

Every process of the daemon (the daemon and each crawl child) starts under the loopback-only
guard of tests/crawl_helpers.py: a ``sitecustomize`` module written next to the test's store is
found through ``PYTHONPATH`` and installs the guard before any other code runs. Until the config
carries the ``[schedule]`` and ``[daemon]`` sections, the same module adds them, exactly as they
are to be wired into ``newsmon.config.Config``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from newsmon.demosite import FixtureSite

ROOT = Path(__file__).resolve().parents[1]

SITECUSTOMIZE = """
from tests.crawl_helpers import install_loopback_guard
install_loopback_guard()
from tests.test_daemon_harness import wire_sections
wire_sections()
"""


def wire_sections() -> None:
    """Give ``Config`` the daemon's sections when newsmon.config does not yet."""
    from pydantic import Field, create_model

    import newsmon.config as config_module
    from scheduler.settings import DaemonSettings, ScheduleSettings

    if "schedule" in config_module.Config.model_fields:
        return
    config_module.Config = create_model(  # type: ignore[misc]
        "Config",
        __base__=config_module.Config,
        schedule=(ScheduleSettings, Field(default_factory=ScheduleSettings, description="Daemon schedule.")),
        daemon=(DaemonSettings, Field(default_factory=DaemonSettings, description="Daemon process.")),
    )


def feed_sources(site: FixtureSite, path: Path, count: int = 1) -> list[str]:
    """Write a sources file with ``count`` of the site's feeds (not the search feed); returns their URLs.

    One feed keeps a crawl cycle short (the site's hostile pages make a full crawl take ~15 s).
    """
    urls = [url for urls in site.feeds.values() for url in urls if url != site.special["search_feed"]][:count]
    blocks = [
        f'[[source]]\nname = "feed-{number}"\noutlet = "Fixture"\nkind = "feed"\nurl = "{url}"\n'
        for number, url in enumerate(urls)
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return urls


def expected_articles(site: FixtureSite, feeds: list[str]) -> int:
    """Articles the feeds lead to: each stored page, with its copies counted once."""
    listed = [entry for entry in site.manifest if set(feeds) & set(entry.listed_in)]
    return len(
        {
            entry.duplicate_of or entry.id
            for entry in listed
            if entry.expected == "stored" or entry.duplicate_of
        }
    )


def sqlite_url(home: Path) -> str:
    return f"sqlite:///{home / 'newsmon.db'}"


def daemon_env(home: Path, sources: Path, database_url: str | None = None, **schedule: str) -> dict[str, str]:
    """Environment of a daemon on ``database_url`` (default: ``home``'s SQLite store) with
    second-scale intervals."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    settings = {
        "FEEDS": "4s",
        "SITEMAPS": "1h",
        "SEARCH": "1h",
        "JITTER": "0",
        "CRAWL_TIMEOUT": "300s",  # a bound for hangs, far above a cycle on a busy machine (10-60 s)
        "GRACE_SECONDS": "10",
        **{key.upper(): value for key, value in schedule.items()},
    }
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSMON_")}
    env.update(
        {
            "PYTHONPATH": f"{home}{os.pathsep}{ROOT}",
            "NEWSMON_HOME": str(home),
            "NEWSMON_DATABASE_URL": database_url or sqlite_url(home),
            "NEWSMON_CONFIG": "",
            "NEWSMON_SOURCES_FILE": str(sources),
            "NEWSMON_CRAWL__ALLOW_PRIVATE_HOSTS": "127.0.0.1",
            "NEWSMON_CRAWL__DOWNLOAD_TIMEOUT": "1",
            "NEWSMON_CRAWL__DELAY": "0",
            "NEWSMON_CRAWL__EXTRACT_WORKERS": "1",
            "NEWSMON_DAEMON__LEASE_SECONDS": "3",
            **{f"NEWSMON_SCHEDULE__{key}": value for key, value in settings.items()},
        }
    )
    return env


class DaemonProcess:
    """`newsmon run --log-format json` in a subprocess, its log lines collected in a file."""

    def __init__(self, env: dict[str, str], log_path: Path, *args: str) -> None:
        self.log_path = log_path
        self.handle = log_path.open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from newsmon.cli import main; main()",
                "run",
                "--log-format",
                "json",
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=self.handle,
        )

    def events(self) -> list[dict[str, Any]]:
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = self.events()
            if predicate(events):
                return events
            if self.process.poll() is not None:
                raise AssertionError(f"the daemon ended early:\n{self.log_path.read_text()}")
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting; log:\n{self.log_path.read_text()[-5000:]}")

    def stop(self, timeout: float) -> tuple[int, float]:
        """SIGTERM; returns the exit status and the seconds it took to exit."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        self.handle.close()
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.handle.close()


def runs_of(events: list[dict[str, Any]], job: str) -> list[dict[str, Any]]:
    """The finished runs of ``job`` in the daemon's log."""
    return [event for event in events if event.get("job") == job and "outcome" in event]


def child_pids(events: list[dict[str, Any]]) -> list[int]:
    """The crawl children the daemon started, in order."""
    return [event["pid"] for event in events if event["msg"] == "crawl child started"]


def query(database: Path | str, sql: str) -> list[Any]:
    """Rows of ``sql`` on the store at ``database`` (a URL, or a daemon home with its SQLite file)."""
    engine = create_engine(database if isinstance(database, str) else sqlite_url(database))
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql)))
    finally:
        engine.dispose()


def group_members(pgid: int) -> list[int]:
    """Processes still alive in process group ``pgid`` (a crawl child and its workers)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(entry.name))
    return members


#: rows that must not exist in a consistent store, by what they would mean (rows pointing to a
#: missing article are not listed: the foreign keys refuse them)
INCONSISTENCIES = {
    "article without its own URL": "SELECT a.id FROM articles a WHERE NOT EXISTS "
    "(SELECT 1 FROM article_urls u WHERE u.article_id = a.id AND u.layer IS NULL)",
    "article without its fetch-log row": "SELECT a.id FROM articles a WHERE NOT EXISTS "
    "(SELECT 1 FROM fetch_log f WHERE f.article_id = a.id AND f.outcome = 'stored')",
    "article without LSH bands": "SELECT a.id FROM articles a WHERE NOT EXISTS "
    "(SELECT 1 FROM lsh_bands b WHERE b.article_id = a.id)",
    "stored or duplicate fetch without its article": "SELECT f.id FROM fetch_log f "
    "LEFT JOIN articles a ON a.id = f.article_id WHERE f.outcome IN ('stored', 'duplicate') AND a.id IS NULL",
    "URL stored twice": "SELECT canonical_url FROM fetch_log WHERE outcome = 'stored' "
    "GROUP BY canonical_url HAVING count(*) > 1",
}


def inconsistencies(database: Path | str) -> dict[str, list[Any]]:
    """What is wrong with the store at ``database``: an empty dict when it is consistent."""
    found = {what: query(database, sql) for what, sql in INCONSISTENCIES.items()}
    return {what: rows for what, rows in found.items() if rows}


def newsmon(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`newsmon ARGS…` as a user runs it, in a process of its own under the loopback-only guard."""
    return subprocess.run(
        [sys.executable, "-m", "tests.crawl_helpers", *args],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def status(env: dict[str, str]) -> dict[str, Any]:
    """`newsmon status --json`, beside the daemon."""
    done = newsmon(env, "status", "--json")
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))
