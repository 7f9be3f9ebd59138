"""What `newsmon status` shows: the daemon's lock, every job's last and next run, counts of the
last day, and sources that need attention. Read from the database only, so it works from any
machine that reaches the store, whether the daemon runs or not.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from newsmon.config import Config
from newsmon.health import source_health
from newsmon.store.db import Store
from newsmon.store.models import ApschedulerJob, Article, FetchLog
from scheduler.history import last_runs, run_counts
from scheduler.lock import lock_state, utcnow
from scheduler.settings import schedule_settings

DAY = timedelta(days=1)


def _jobs(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        scheduled = {
            job: at for job, at in connection.execute(select(ApschedulerJob.id, ApschedulerJob.next_run_time))
        }
    runs = last_runs(store)
    rows = []
    for job in sorted(scheduled.keys() | runs.keys()):
        run = runs.get(job)
        next_run = scheduled.get(job)
        rows.append(
            {
                "job": job,
                "last_started": run.started_at if run else None,
                "last_finished": run.finished_at if run else None,
                "last_outcome": (run.outcome or "running or interrupted") if run else None,
                "last_detail": run.detail if run else None,
                "next_run": datetime.fromtimestamp(next_run, UTC).replace(tzinfo=None) if next_run else None,
            }
        )
    return rows


def _counts(store: Store, now: datetime) -> dict[str, Any]:
    with store.engine.connect() as connection:
        articles = connection.scalar(select(func.count()).select_from(Article))
        new = connection.scalar(
            select(func.count()).select_from(Article).where(Article.fetched_at >= now - DAY)
        )
        outcomes = {
            outcome: count
            for outcome, count in connection.execute(
                select(FetchLog.outcome, func.count())
                .where(FetchLog.at >= now - DAY)
                .group_by(FetchLog.outcome)
            )
        }
    runs: dict[str, int] = {}
    for (_job, outcome), count in run_counts(store, DAY).items():
        runs[outcome or "running"] = runs.get(outcome or "running", 0) + count
    return {
        "articles": articles,
        "articles_last_day": new,
        "fetches_last_day": outcomes,
        "runs_last_day": runs,
    }


def daemon_status(store: Store, config: Config) -> dict[str, Any]:
    """Everything `newsmon status` prints, as JSON-ready data (times naive UTC)."""
    now = utcnow()
    lock = lock_state(store)
    return {
        "daemon": None
        if lock is None
        else {"holder": lock.holder, "heartbeat_at": lock.heartbeat_at, "alive": lock.expires_at > now},
        "jobs": _jobs(store),
        "counts": _counts(store, now),
        "sources": [vars(health) for health in source_health(store, schedule_settings(config), now)],
    }
