"""The daemon's writes wait out other writers instead of failing with "database is locked".

SQLite admits one writer at a time; a connection that wants to write waits up to its busy
timeout (10 s, see ``newsmon.store.db``) and then gives up. The daemon shares the file with its
crawl child, with `newsmon import` and the review UI, any of which may hold the write lock longer
than that. A daemon write that gives up is worse than one that waits: APScheduler's scheduler
thread ends for good when a job-store update raises, a lost heartbeat lets a standby take over,
and a run record left open reads as a crash. So these writes try again until a deadline that
suits each of them, or until the daemon stops. PostgreSQL waits for row locks by itself and
never reports them this way, so there the retry never triggers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)

T = TypeVar("T")

LOCKED_MESSAGES = ("database is locked", "database is busy", "database table is locked")


def is_locked(exc: OperationalError) -> bool:
    """True when SQLite refused a statement because another connection holds a lock."""
    return any(message in str(exc.orig) for message in LOCKED_MESSAGES)


def patiently(
    call: Callable[[], T], *, within: float, what: str, stopping: threading.Event | None = None
) -> T:
    """``call()``, tried again while the database is locked, for up to ``within`` seconds.

    Each try already waits the connection's busy timeout, so there is no sleep in between; the
    last error is raised when the deadline passed or ``stopping`` is set.
    """
    deadline = time.monotonic() + within
    while True:
        try:
            return call()
        except OperationalError as exc:
            if not is_locked(exc) or time.monotonic() >= deadline or (stopping and stopping.is_set()):
                raise
            log.warning("%s waits for another writer", what, extra={"fields": {"error": str(exc.orig)}})


class PatientJobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy job store whose writes wait out a locked database.

    The scheduler thread writes a job's next run time right after submitting it; if that raises,
    the thread dies and nothing is scheduled again while the daemon looks alive.
    """

    def __init__(self, *, within: float, stopping: threading.Event, **options: Any) -> None:
        super().__init__(**options)
        self._within = within
        self._stopping = stopping

    def _patiently(self, call: Callable[[], None], what: str) -> None:
        patiently(call, within=self._within, what=what, stopping=self._stopping)

    def add_job(self, job: Job) -> None:
        self._patiently(lambda: super(PatientJobStore, self).add_job(job), f"adding job {job.id}")

    def update_job(self, job: Job) -> None:
        self._patiently(lambda: super(PatientJobStore, self).update_job(job), f"updating job {job.id}")

    def remove_job(self, job_id: str) -> None:
        self._patiently(lambda: super(PatientJobStore, self).remove_job(job_id), f"removing job {job_id}")
