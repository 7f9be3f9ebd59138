"""Source health: back-off after failed crawls, and which sources need attention.

The crawler counts ``consecutive_failures`` per source. Whoever ran the crawl (`newsmon crawl`
or the daemon) then turns that count into a wait, ``next_attempt_at``: ``schedule.backoff``
doubled per further failure, at most ``schedule.backoff_max``, so a dead feed is not hammered on
every run. A source is *unhealthy* from ``schedule.unhealthy_after`` failures in a row, and
*silent* when its volume dropped to zero: addresses seen in the period before, none in the period
judged. `newsmon status` and the review UI judge the last seven days, the digest its ISO week;
both ask ``sources_needing_attention`` with their period. Only crawled sources are judged
(enabled, kind feed, sitemap or search): an ``import`` name has nothing to fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from newsmon.config import ScheduleSettings, parse_duration
from newsmon.store.db import WRITE_OPTION, Store
from newsmon.store.models import ArticleUrl, Source

WEEK = timedelta(days=7)
#: ``schedule.unhealthy_after`` when the caller has no config at hand (the digest)
DEFAULT_UNHEALTHY_AFTER: int = ScheduleSettings.model_fields["unhealthy_after"].default


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
            waiting = 0
            for source_id, failures, crawled_at in list(connection.execute(query)):
                due = crawled_at + backoff_delay(failures, settings) if failures else None
                waiting += due is not None
                connection.execute(update(Source).where(Source.id == source_id).values(next_attempt_at=due))
    return waiting


def backing_off(store: Store, now: datetime) -> dict[str, datetime]:
    """Sources waiting out a back-off at ``now`` (naive UTC): name -> when they are due again."""
    query = select(Source.name, Source.next_attempt_at).where(Source.next_attempt_at > now)
    with store.engine.connect() as connection:
        return {name: due for name, due in connection.execute(query)}


@dataclass(frozen=True)
class SourceHealth:
    """A source that needs attention, and why."""

    name: str
    outlet: str | None
    kind: str
    failures: int  # consecutive failed crawls; 0 when the source is only silent
    last_outcome: str | None
    error: str | None  # the last error, else the last outcome
    next_attempt_at: datetime | None
    unhealthy: bool
    silent: bool  # delivered in the period before, nothing in the period judged
    seen_last_week: int  # addresses seen (articles and copies) in the period judged
    seen_week_before: int  # ... and in the period before it


def seen_query(start: datetime, end: datetime) -> Select[tuple[int, int]]:
    """Per source, the addresses seen in [start, end): a range of the index on (seen_at, source_id)."""
    return (
        select(ArticleUrl.source_id, func.count())
        .where(ArticleUrl.seen_at >= start, ArticleUrl.seen_at < end, ArticleUrl.source_id.is_not(None))
        .group_by(ArticleUrl.source_id)
    )


def _seen(session: Session, start: datetime, end: datetime) -> dict[int, int]:
    return {source_id: count for source_id, count in session.execute(seen_query(start, end))}


Period = tuple[datetime, datetime]  # [start, end) in naive UTC


def sources_needing_attention(
    session: Session, period: Period, before: Period, unhealthy_after: int = DEFAULT_UNHEALTHY_AFTER
) -> list[SourceHealth]:
    """Failing sources, and sources silent in ``period`` that delivered in ``before``; worst first.

    The periods are the caller's: a digest's ISO week is not always 7 × 24 hours (DST)."""
    current, previous = _seen(session, *period), _seen(session, *before)
    query = select(Source).where(Source.enabled.is_(True), Source.kind != "import")
    found = []
    for source in session.scalars(query):
        failures = source.consecutive_failures or 0
        silent = previous.get(source.id, 0) > 0 and current.get(source.id, 0) == 0
        if failures or silent:
            found.append(
                SourceHealth(
                    name=source.name,
                    outlet=source.outlet,
                    kind=source.kind,
                    failures=failures,
                    last_outcome=source.last_outcome,
                    error=source.last_error or source.last_outcome,
                    next_attempt_at=source.next_attempt_at,
                    unhealthy=failures >= unhealthy_after,
                    silent=silent,
                    seen_last_week=current.get(source.id, 0),
                    seen_week_before=previous.get(source.id, 0),
                )
            )
    return sorted(found, key=lambda health: (-health.failures, health.name))


def source_health(store: Store, settings: ScheduleSettings, now: datetime) -> list[SourceHealth]:
    """Sources needing attention over the seven days before ``now`` (naive UTC)."""
    with store.session() as session:
        return sources_needing_attention(
            session, (now - WEEK, now), (now - 2 * WEEK, now - WEEK), settings.unhealthy_after
        )
