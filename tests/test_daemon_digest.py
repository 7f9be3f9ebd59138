"""A weekly digest missed during a three-week downtime runs exactly once after the restart.

The downtime is simulated in the persistent job store: after a first start, the digest job's
stored next run time (the pickled job state and the indexed column APScheduler queries) is set
back three weeks, as if the daemon had stopped then. On the next start APScheduler finds three
missed Monday runs; coalescing and the digest's unlimited misfire grace make them one run.
"""

from __future__ import annotations

import pickle
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from newsmon.demosite import FixtureSite
from tests.test_daemon_harness import DaemonProcess, daemon_env, feed_sources, query, runs_of

pytestmark = pytest.mark.slow


def move_back(home: Path, job: str, weeks: int) -> None:
    engine = create_engine(f"sqlite:///{home / 'newsmon.db'}")
    try:
        with engine.begin() as connection:
            (state,) = connection.execute(
                text("SELECT job_state FROM apscheduler_jobs WHERE id = :id"), {"id": job}
            ).one()
            job_state = pickle.loads(state)
            job_state["next_run_time"] -= timedelta(weeks=weeks)
            connection.execute(
                text("UPDATE apscheduler_jobs SET job_state = :state, next_run_time = :at WHERE id = :id"),
                {"state": pickle.dumps(job_state), "at": job_state["next_run_time"].timestamp(), "id": job},
            )
    finally:
        engine.dispose()


def test_missed_digest_runs_once_after_three_weeks_down(tmp_path: Path) -> None:
    with FixtureSite.start(slow_delay=1) as site:
        feed_sources(site, tmp_path / "sources.toml")
        env = daemon_env(tmp_path / "home", tmp_path / "sources.toml", feeds="1h")
        home = tmp_path / "home"
        first = DaemonProcess(env, tmp_path / "first.log")
        try:
            first.wait_for(lambda events: any(e["msg"] == "job digest" for e in events), timeout=30)
            assert first.stop(timeout=60)[0] == 0
        finally:
            first.kill()
        (before,) = query(home, "SELECT next_run_time FROM apscheduler_jobs WHERE id = 'digest'")[0]
        move_back(home, "digest", weeks=3)

        again = DaemonProcess(env, tmp_path / "again.log")
        try:
            again.wait_for(lambda events: len(runs_of(events, "digest")) >= 1, timeout=60)
            time.sleep(3)  # room for a second, wrong run
            assert again.stop(timeout=60)[0] == 0
        finally:
            again.kill()
    assert len(runs_of(again.events(), "digest")) == 1
    assert query(home, "SELECT count(*) FROM daemon_runs WHERE job = 'digest'")[0][0] == 1
    (after,) = query(home, "SELECT next_run_time FROM apscheduler_jobs WHERE id = 'digest'")[0]
    assert after == before  # back on the regular weekly schedule, in the future
    assert datetime.fromtimestamp(after) > datetime.now()
