"""``newsmon run``: take the database lock, sync the configured jobs into the persistent job
store, run them until SIGTERM/SIGINT, stop gracefully.

The job store lives in the same database (``apscheduler_jobs``), so after a restart every job
keeps its next run time: a weekly digest missed during a downtime is past due and runs once
(coalesced, no misfire limit); a crawl interval that changed in the config is rescheduled from
now. The main thread only heartbeats the lock and waits for a signal; jobs run in a small thread
pool, crawls one at a time in child processes.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from types import FrameType
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import OperationalError

from newsmon.config import Config
from newsmon.store.db import Store, open_store
from scheduler import jobs
from scheduler.busy import PatientJobStore, patiently
from scheduler.child import ChildLimits, ChildRunner
from scheduler.healthz import serve_health
from scheduler.lock import DatabaseLock, lock_state
from scheduler.settings import ScheduleSettings, daemon_settings, parse_duration, schedule_settings

log = logging.getLogger(__name__)

#: how long the scheduler thread waits out a locked database to record a job's next run time
JOB_STORE_PATIENCE = 300.0


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # textual reference: the job store keeps names, not objects
    args: tuple[str, ...]
    trigger: BaseTrigger
    misfire_grace: int | None  # seconds; None: however late, run (once)


def job_specs(config: Config, schedule: ScheduleSettings) -> list[JobSpec]:
    """The jobs the config asks for."""
    misfire = int(parse_duration(schedule.misfire_grace))
    specs = []
    for key, kind in jobs.CRAWL_KINDS.items():
        seconds = parse_duration(getattr(schedule, key))
        trigger = IntervalTrigger(
            seconds=seconds, jitter=seconds * schedule.jitter or None, timezone=config.tz
        )
        specs.append(JobSpec(f"crawl:{kind}", "scheduler.jobs:crawl_job", (kind,), trigger, misfire))
    digest = CronTrigger.from_crontab(schedule.digest, timezone=schedule.digest_timezone)
    specs.append(JobSpec("digest", "scheduler.jobs:digest_job", (), digest, None))
    housekeeping = CronTrigger.from_crontab(schedule.housekeeping, timezone=config.tz)
    specs.append(JobSpec("housekeeping", "scheduler.jobs:housekeeping_job", (), housekeeping, 3600))
    return specs


def _same_trigger(one: BaseTrigger, other: BaseTrigger) -> bool:
    """Equal schedules (IntervalTrigger's repr carries its start date, which always differs)."""
    if isinstance(one, IntervalTrigger) and isinstance(other, IntervalTrigger):
        return one.interval == other.interval and one.jitter == other.jitter
    return type(one) is type(other) and str(one) == str(other) and str(one.timezone) == str(other.timezone)  # type: ignore[attr-defined]


def sync_jobs(scheduler: BackgroundScheduler, specs: list[JobSpec], now: datetime) -> None:
    """Bring the stored jobs in line with ``specs``, keeping what the store knows about timing.

    A new crawl job runs at once; a stored job keeps its next run time unless its schedule
    changed and that time is still ahead (a missed run stays missed, so it runs once).
    """
    wanted = {spec.id for spec in specs}
    for stale in [job for job in scheduler.get_jobs() if job.id not in wanted]:
        stale.remove()
    for spec in specs:
        options: dict[str, Any] = {
            "misfire_grace_time": spec.misfire_grace,
            "coalesce": True,
            "max_instances": 1,
        }
        stored = scheduler.get_job(spec.id)
        if stored is None:
            first = (
                now
                if isinstance(spec.trigger, IntervalTrigger)
                else spec.trigger.get_next_fire_time(None, now)
            )
            scheduler.add_job(
                spec.func,
                spec.trigger,
                args=spec.args,
                id=spec.id,
                name=spec.id,
                next_run_time=first,
                **options,
            )
            continue
        stored.modify(func=spec.func, args=spec.args, **options)
        if not _same_trigger(stored.trigger, spec.trigger):
            if stored.next_run_time is not None and stored.next_run_time > now:
                scheduler.reschedule_job(spec.id, trigger=spec.trigger)
            else:
                stored.modify(trigger=spec.trigger)


class Daemon:
    """One `newsmon run`: the lock, the scheduler, the health endpoint and the stop signal."""

    def __init__(self, config: Config, *, config_path: str | None, log_format: str, health_port: int | None):
        self.config = config
        self.schedule = schedule_settings(config)
        self.settings = daemon_settings(config)
        self.store: Store = open_store(config.store_url)
        self.lock = DatabaseLock(self.store, self.settings.lease_seconds)
        limits = ChildLimits(
            timeout=parse_duration(self.schedule.crawl_timeout),
            memory_mb=self.schedule.crawl_memory_mb,
            grace=self.schedule.grace_seconds,
        )
        self.runner = ChildRunner(limits, log_format, config_path)
        self.health_port = health_port or self.settings.health_port
        self.stopping = threading.Event()
        self.scheduler: BackgroundScheduler | None = None
        self.last_heartbeat = 0.0

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info(
            "stopping on %s",
            signal.Signals(signum).name,
            extra={"fields": {"grace": self.runner.limits.grace}},
        )
        self.stopping.set()
        self.runner.stop()

    def _heartbeat_every(self) -> float:
        return self.settings.lease_seconds / 3

    def take_lock(self, standby: bool) -> bool:
        """True once this daemon holds the lock; False when another holds it and not ``standby``."""
        while not self.stopping.is_set():
            if self.lock.acquire():
                self.last_heartbeat = time.monotonic()
                return True
            holder = lock_state(self.store)
            fields = {
                "holder": holder.holder if holder else None,
                "expires_at": holder.expires_at if holder else None,
            }
            if not standby:
                log.error("another daemon runs on this database; not starting", extra={"fields": fields})
                return False
            log.info("standby: another daemon holds the lock", extra={"fields": fields})
            self.stopping.wait(self._heartbeat_every())
        return False

    def probe(self) -> tuple[bool, dict[str, Any]]:
        running = self.scheduler is not None and self.scheduler.running and not self.stopping.is_set()
        fresh = time.monotonic() - self.last_heartbeat < self.settings.lease_seconds
        return running and fresh, {"holder": self.lock.holder, "crawl_pid": self.runner.current_pid}

    def _start_scheduler(self) -> BackgroundScheduler:
        scheduler = BackgroundScheduler(
            jobstores={
                "default": PatientJobStore(
                    engine=self.store.engine, within=JOB_STORE_PATIENCE, stopping=self.stopping
                )
            },
            executors={"default": ThreadPoolExecutor(4)},
            timezone=self.config.tz,
        )
        scheduler.add_listener(_log_missed, EVENT_JOB_MISSED)
        scheduler.start(paused=True)
        sync_jobs(scheduler, job_specs(self.config, self.schedule), datetime.now(self.config.tz))
        jobs.bind(jobs.JobContext(self.config, self.store, self.schedule, self.runner))
        scheduler.resume()
        for job in scheduler.get_jobs():
            log.info(
                "job %s",
                job.id,
                extra={"fields": {"job": job.id, "next_run": job.next_run_time, "trigger": str(job.trigger)}},
            )
        return scheduler

    def _keep_lock(self) -> bool:
        """Renew the lease; False when another daemon has taken it (this one must stop).

        A locked database is waited out until the lease would run out (after that a standby may
        take over, and the renewal, when it gets through, tells); other errors are only logged."""
        lease_left = self.last_heartbeat + self.settings.lease_seconds - time.monotonic()
        try:
            renewed = patiently(
                self.lock.renew, within=max(lease_left, 0), what="heartbeat", stopping=self.stopping
            )
        except OperationalError as exc:  # database busy or briefly away: the lease still runs
            log.warning("heartbeat failed: %s", exc.orig)
            return True
        if renewed:
            self.last_heartbeat = time.monotonic()
        return renewed

    def run(self, standby: bool = False) -> int:
        """Run until a signal (exit 0), or refuse when another daemon runs (exit 1)."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        health = serve_health(self.health_port, self.probe) if self.health_port else None
        try:
            if not self.take_lock(standby):
                return 0 if self.stopping.is_set() else 1
            log.info(
                "daemon started",
                extra={"fields": {"holder": self.lock.holder, "database": self.store.dialect}},
            )
            self.scheduler = self._start_scheduler()
            lost = False
            while not self.stopping.wait(self._heartbeat_every()):
                if not self._keep_lock():
                    log.error("the database lock was taken by another daemon; stopping")
                    lost = True
                    break
            self._stop()
            return 1 if lost else 0
        finally:
            if health is not None:
                health.shutdown()
            self.store.close()

    def _stop(self) -> None:
        started = time.monotonic()
        self.runner.stop()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        jobs.bind(None)
        self.lock.release()
        log.info("daemon stopped", extra={"fields": {"seconds": round(time.monotonic() - started, 2)}})


def _log_missed(event: JobExecutionEvent) -> None:
    log.warning(
        "%s missed its run at %s",
        event.job_id,
        event.scheduled_run_time,
        extra={"fields": {"job": event.job_id}},
    )
