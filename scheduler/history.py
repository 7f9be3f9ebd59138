"""The daemon's run history: a ``daemon_runs`` row per job run, opened at start, closed at the end.

A row left without ``finished_at`` belongs to a daemon that died mid-run; ``newsmon status``
shows it as such instead of guessing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from newsmon.store.db import WRITE_OPTION, Store
from newsmon.store.models import DaemonRun
from scheduler.busy import patiently
from scheduler.lock import utcnow


#: how long a run record waits out a locked database (a crawl's commit, an import) before failing
WRITE_PATIENCE = 120.0


def _write(store: Store, statement: Any) -> Any:
    def attempt() -> Any:
        with store.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
            with connection.begin():
                result = connection.execute(statement)
                return result.scalar_one() if result.returns_rows else result.rowcount

    return patiently(attempt, within=WRITE_PATIENCE, what=f"recording {statement.table.name}")


def start_run(store: Store, job: str) -> int:
    """Record that ``job`` started; returns the run id to finish."""
    return int(_write(store, insert(DaemonRun).values(job=job, started_at=utcnow()).returning(DaemonRun.id)))


def finish_run(store: Store, run_id: int, outcome: str, detail: dict[str, Any]) -> None:
    values = {"finished_at": utcnow(), "outcome": outcome, "detail": detail}
    _write(store, update(DaemonRun).where(DaemonRun.id == run_id).values(values))


def forget_runs_before(store: Store, cutoff: datetime) -> int:
    """Delete run records started before ``cutoff``; returns how many."""
    return int(_write(store, delete(DaemonRun).where(DaemonRun.started_at < cutoff)))


def last_runs(store: Store) -> dict[str, DaemonRun]:
    """The newest run of every job, by job name."""
    newest = select(func.max(DaemonRun.id)).group_by(DaemonRun.job)
    with store.session() as session:
        return {run.job: run for run in session.scalars(select(DaemonRun).where(DaemonRun.id.in_(newest)))}


def run_counts(store: Store, since: timedelta) -> dict[tuple[str, str | None], int]:
    """Runs per (job, outcome) of the last ``since``."""
    query = (
        select(DaemonRun.job, DaemonRun.outcome, func.count())
        .where(DaemonRun.started_at >= utcnow() - since)
        .group_by(DaemonRun.job, DaemonRun.outcome)
    )
    with store.engine.connect() as connection:
        return {(job, outcome): count for job, outcome, count in connection.execute(query)}
