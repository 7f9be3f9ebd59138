"""Which sources need attention: failing ones, and ones that went silent this week.

A source is *failing* while its last crawls failed (``consecutive_failures`` > 0, kept by the
crawler). It is *silent* when it delivered articles or copies the week before and none this
week: a feed that moved or a site that blocks us fails quietly, and only the drop shows it.
Disabled sources and the ``import`` pseudo-source are nobody's worry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsmon.store.models import ArticleUrl, Source
from reports.weeks import IsoWeek


@dataclass(frozen=True)
class SourceProblem:
    name: str
    outlet: str | None
    failures: int  # consecutive failed crawls, 0 when the source is only silent
    error: str | None
    previous_week: int  # addresses seen the week before (articles and copies)
    this_week: int


def _seen_per_source(session: Session, week: IsoWeek, tz: ZoneInfo) -> dict[int, int]:
    start, end = week.bounds(tz)
    rows = session.execute(
        select(ArticleUrl.source_id, func.count())
        .where(ArticleUrl.seen_at >= start, ArticleUrl.seen_at < end, ArticleUrl.source_id.is_not(None))
        .group_by(ArticleUrl.source_id)
    )
    return {source_id: count for source_id, count in rows}


def source_problems(session: Session, week: IsoWeek, tz: ZoneInfo) -> list[SourceProblem]:
    """Failing or silent enabled sources, failing ones first, then by name."""
    current = _seen_per_source(session, week, tz)
    previous = _seen_per_source(session, week.previous(), tz)
    problems = []
    for source in session.scalars(select(Source).where(Source.enabled.is_(True), Source.kind != "import")):
        failures = source.consecutive_failures or 0
        silent = previous.get(source.id, 0) > 0 and current.get(source.id, 0) == 0
        if failures or silent:
            problems.append(
                SourceProblem(
                    name=source.name,
                    outlet=source.outlet,
                    failures=failures,
                    error=source.last_error or source.last_outcome,
                    previous_week=previous.get(source.id, 0),
                    this_week=current.get(source.id, 0),
                )
            )
    return sorted(problems, key=lambda problem: (-problem.failures, problem.name))
