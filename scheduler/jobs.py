"""The job bodies the scheduler runs: a crawl per source kind, the digest, housekeeping.

APScheduler's persistent job store keeps a job as a function *name* plus arguments, so the
bodies are module functions taking only the kind; what they run against (config, store, child
runner) is the daemon's ``JobContext``, bound here once per daemon process by ``bind``. Each
run is recorded in ``daemon_runs`` and logged as one line saying what it did.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, text

from crawler.crawlrun import save_interrupted
from crawler.targets import Target, crawl_targets
from newsmon.config import Config
from newsmon.health import apply_backoff, backing_off
from newsmon.sources import load_sources, open_registry
from newsmon.store.db import WRITE_OPTION, Store
from newsmon.store.models import FetchLog
from scheduler.child import ChildRunner
from scheduler.busy import patiently
from scheduler.history import WRITE_PATIENCE, finish_run, forget_runs_before, start_run
from scheduler.lock import utcnow
from scheduler.settings import ScheduleSettings

log = logging.getLogger(__name__)

#: schedule key -> the source kind its crawl job covers
CRAWL_KINDS = {"feeds": "feed", "sitemaps": "sitemap", "search": "search"}
# child outcomes after which sources the child did not record show why (not counted as their
# failure); a child stopped with the daemon leaves their last result as it was
INTERRUPTED = ("timeout", "crashed", "failed")


@dataclass(frozen=True)
class JobContext:
    config: Config
    store: Store
    schedule: ScheduleSettings
    runner: ChildRunner


_bound: list[JobContext] = []  # the daemon of this process (at most one)


def bind(context: JobContext | None) -> None:
    """Make ``context`` the one job bodies run against (None: unbind when the daemon stops)."""
    _bound.clear()
    if context is not None:
        _bound.append(context)


def _context() -> JobContext:
    if not _bound:
        raise RuntimeError("no daemon bound: job bodies run inside `newsmon run`")
    return _bound[0]


def _recorded(job: str, body: Callable[[JobContext], tuple[str, dict[str, Any]]]) -> None:
    """Run ``body`` as run ``job``: record start and outcome, log what it did, never raise."""
    context = _context()
    run_id = start_run(context.store, job)
    started = time.monotonic()
    try:
        outcome, detail = body(context)
    except Exception as exc:  # a job that fails must not take the scheduler down
        log.exception("%s failed", job, extra={"fields": {"job": job}})
        outcome, detail = "failed", {"error": f"{exc.__class__.__name__}: {exc}"}
    detail["seconds"] = round(time.monotonic() - started, 2)
    finish_run(context.store, run_id, outcome, detail)
    level = logging.INFO if outcome == "ok" else logging.WARNING
    log.log(level, "%s %s", job, outcome, extra={"fields": {"job": job, "outcome": outcome, **detail}})


def _targets(context: JobContext, kind: str, now: datetime) -> tuple[list[dict[str, Any]], list[str]]:
    """The enabled sources of ``kind`` not backing off, as crawl targets (search: one per query of
    the configured topic profiles, built as ``newsmon crawl`` builds them), and the names of search
    sources left without a query (a warning each run: they are configured but never crawled)."""
    registry = open_registry(context.store, load_sources(context.config.sources_file))
    waiting = backing_off(context.store, now)
    due = [s.spec for s in registry.sources() if s.spec.kind == kind and s.spec.name not in waiting]
    targets, unasked = crawl_targets(due, context.config.topics_file)
    if unasked:
        log.warning(
            "search sources with no query in their language, skipped",
            extra={"fields": {"sources": unasked}},
        )
    return [asdict(target) for target in targets], unasked


def _crawl(kind: str) -> Callable[[JobContext], tuple[str, dict[str, Any]]]:
    def body(context: JobContext) -> tuple[str, dict[str, Any]]:
        now = utcnow()
        targets, unasked = _targets(context, kind, now)
        skipped = {"skipped_without_query": unasked} if unasked else {}
        if not targets:
            return "ok", {"targets": 0, **skipped}
        result = context.runner.run(targets)
        interrupted: list[str] = []
        if result.outcome in INTERRUPTED:
            interrupted = patiently(
                lambda: save_interrupted(
                    context.store,
                    [Target(**target) for target in targets],
                    now,
                    f"crawl {result.outcome} after {result.seconds:.0f} s (exit {result.returncode})",
                ),
                within=WRITE_PATIENCE,
                what="recording interrupted sources",
            )
        waiting = patiently(
            lambda: apply_backoff(context.store, context.schedule, now),
            within=WRITE_PATIENCE,
            what="recording back-off",
        )
        detail: dict[str, Any] = {
            "targets": len(targets),
            "returncode": result.returncode,
            "child_seconds": result.seconds,
            "backing_off": waiting,
            **skipped,
        }
        if interrupted:
            detail["interrupted_sources"] = interrupted
        detail.update(result.summary or ({"error": result.error} if result.error else {}))
        return result.outcome, detail

    return body


def crawl_job(kind: str) -> None:
    """Crawl the due sources of ``kind`` (feed, sitemap, search) in a child process."""
    _recorded(f"crawl:{kind}", _crawl(kind))


def _digest(context: JobContext) -> tuple[str, dict[str, Any]]:
    from reports.job import run_digest_job  # matplotlib and Jinja2 load only when a digest is due

    report = run_digest_job(context.config, datetime.now(context.config.tz), store=context.store)
    failed = [outcome for outcome in report.deliveries if outcome.error]
    detail = {
        "digests": [f"{run.topic} {run.iso_week} #{run.digest_id}" for run in report.digests],
        "deliveries": len(report.deliveries),
        "delivery_errors": len(failed),
    }
    return ("failed" if failed else "ok"), detail


def digest_job() -> None:
    """Render, archive and mail the last complete week's digests (exactly once per recipient)."""
    _recorded("digest", _digest)


def _housekeeping(context: JobContext) -> tuple[str, dict[str, Any]]:
    store = context.store
    cutoff = utcnow() - timedelta(days=context.schedule.fetch_log_days)
    with store.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
        with connection.begin():
            dropped = connection.execute(delete(FetchLog).where(FetchLog.at < cutoff)).rowcount
    runs = forget_runs_before(store, cutoff)
    if store.dialect == "sqlite":
        # ANALYZE where the query planner's statistics are stale; free pages are returned only
        # by databases created with auto_vacuum=INCREMENTAL (elsewhere a no-op)
        with store.engine.connect() as connection:
            driver = connection.connection.driver_connection
            driver.execute("PRAGMA optimize").close()
            driver.execute("PRAGMA incremental_vacuum").close()
    else:
        with store.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    return "ok", {"fetch_log_deleted": dropped, "runs_deleted": runs}


def housekeeping_job() -> None:
    """Drop fetch-log rows and run records past retention, let the database tidy its statistics."""
    _recorded("housekeeping", _housekeeping)
