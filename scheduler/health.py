"""Source health as the daemon keeps it: back-off after failures, unhealthy and silent sources.

The crawler counts ``consecutive_failures`` per source; the daemon turns that count into a wait
(``next_attempt_at``: ``backoff`` doubled per further failure, at most ``backoff_max``) so a dead
feed is not hammered every cycle, and calls a source *unhealthy* from ``unhealthy_after`` failures
on. A source is *silent* when its volume dropped to zero: addresses seen in the seven days before
the last seven, none since. Disabled sources and ``import`` names are not judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from newsmon.sources import CONFIGURED
from newsmon.store.db import WRITE_OPTION, Store
from newsmon.store.models import ArticleUrl, Source
from scheduler.settings import ScheduleSettings, parse_duration

WEEK = timedelta(days=7)


def backoff_delay(failures: int, settings: ScheduleSettings) -> timedelta:
    """How long a source with ``failures`` consecutive failed crawls waits before the next one."""
    base, ceiling = parse_duration(settings.backoff), parse_duration(settings.backoff_max)
    return timedelta(seconds=min(base * 2 ** min(failures - 1, 30), ceiling))


def apply_backoff(store: Store, settings: ScheduleSettings, crawled_since: datetime) -> int:
    """Set ``next_attempt_at`` of sources crawled since ``crawled_since`` from their failure count;
    returns how many now wait. A source that succeeded is due again at once."""
    query = select(Source.id, Source.consecutive_failures, Source.last_crawled_at).where(
        Source.last_crawled_at >= crawled_since
    )
    with store.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
        with connection.begin():
            rows = list(connection.execute(query))
            waiting = 0
            for source_id, failures, crawled_at in rows:
                due = crawled_at + backoff_delay(failures, settings) if failures else None
                waiting += due is not None
                connection.execute(update(Source).where(Source.id == source_id).values(next_attempt_at=due))
    return waiting


@dataclass(frozen=True)
class SourceHealth:
    name: str
    kind: str
    failures: int
    last_outcome: str | None
    next_attempt_at: datetime | None
    unhealthy: bool
    silent: bool  # volume dropped to zero
    seen_last_week: int
    seen_week_before: int


def _seen(store: Store, start: datetime, end: datetime) -> dict[int, int]:
    query = (
        select(ArticleUrl.source_id, func.count())
        .where(ArticleUrl.seen_at >= start, ArticleUrl.seen_at < end, ArticleUrl.source_id.is_not(None))
        .group_by(ArticleUrl.source_id)
    )
    with store.engine.connect() as connection:
        return {source_id: count for source_id, count in connection.execute(query)}


def source_health(store: Store, settings: ScheduleSettings, now: datetime) -> list[SourceHealth]:
    """Every enabled crawled source that is failing, backing off or silent, worst first."""
    recent, before = _seen(store, now - WEEK, now), _seen(store, now - 2 * WEEK, now - WEEK)
    query = select(Source).where(Source.enabled.is_(True), Source.origin.in_(CONFIGURED))
    found = []
    with store.session() as session:
        for source in session.scalars(query):
            failures = source.consecutive_failures or 0
            silent = before.get(source.id, 0) > 0 and recent.get(source.id, 0) == 0
            if failures or silent:
                found.append(
                    SourceHealth(
                        name=source.name,
                        kind=source.kind,
                        failures=failures,
                        last_outcome=source.last_outcome,
                        next_attempt_at=source.next_attempt_at,
                        unhealthy=failures >= settings.unhealthy_after,
                        silent=silent,
                        seen_last_week=recent.get(source.id, 0),
                        seen_week_before=before.get(source.id, 0),
                    )
                )
    return sorted(found, key=lambda health: (-health.failures, health.name))
