"""Which sources need attention in a digest's week: failing ones, and ones that went silent.

The judgement is the core's (``newsmon.health``, shared with `newsmon status`); here it is asked
for the ISO week of the digest against the week before, and kept to what the digest's
source-health section shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from newsmon.health import SourceHealth, sources_needing_attention
from reports.weeks import IsoWeek


@dataclass(frozen=True)
class SourceProblem:
    name: str
    outlet: str | None
    failures: int  # consecutive failed crawls, 0 when the source is only silent
    error: str | None
    previous_week: int  # addresses seen the week before (articles and copies)
    this_week: int

    @classmethod
    def of(cls, health: SourceHealth) -> SourceProblem:
        return cls(
            health.name,
            health.outlet,
            health.failures,
            health.error,
            health.seen_week_before,
            health.seen_last_week,
        )


def source_problems(session: Session, week: IsoWeek, tz: ZoneInfo) -> list[SourceProblem]:
    """Failing or silent enabled sources, failing ones first, then by name."""
    judged = sources_needing_attention(session, week.bounds(tz), week.previous().bounds(tz))
    return [SourceProblem.of(health) for health in judged]
