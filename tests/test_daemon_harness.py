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


def daemon_env(home: Path, sources: Path, **schedule: str) -> dict[str, str]:
    """Environment of a daemon on ``home``'s SQLite store with second-scale intervals."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    settings = {
        "FEEDS": "4s",
        "SITEMAPS": "1h",
        "SEARCH": "1h",
        "JITTER": "0",
        "CRAWL_TIMEOUT": "60s",
        "GRACE_SECONDS": "10",
        **{key.upper(): value for key, value in schedule.items()},
    }
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSMON_")}
    env.update(
        {
            "PYTHONPATH": f"{home}{os.pathsep}{ROOT}",
            "NEWSMON_HOME": str(home),
            "NEWSMON_DATABASE_URL": f"sqlite:///{home / 'newsmon.db'}",
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


def query(home: Path, sql: str) -> list[Any]:
    engine = create_engine(f"sqlite:///{home / 'newsmon.db'}")
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql)))
    finally:
        engine.dispose()
