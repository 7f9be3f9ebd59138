"""One topic's week, from the store to a rendered digest: selection, leads, health, chart, templates.

This is the only module that knows the order of the steps; each step lives in its own module
and can be tested (and benchmarked) alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsmon.store.models import Article
from reports.chart import daily_volume_png
from reports.context import ArticleDetail, Presentation, digest_context, top_and_more
from reports.health import source_problems
from reports.lead import lead
from reports.render import render
from reports.selection import RankedStory, WeekSelection, select_week, top_terms
from reports.weeks import IsoWeek


@dataclass(frozen=True)
class RenderedDigest:
    """A digest ready to archive and mail; ``html`` refers to ``chart`` as ``cid:<chart_cid>``."""

    topic: str
    week: IsoWeek
    subject: str
    html: str
    text: str
    chart: bytes | None
    chart_cid: str | None
    meta: dict[str, Any]

    @property
    def empty(self) -> bool:
        return not self.meta["stories"]


def chart_cid(topic: str, week: IsoWeek) -> str:
    """The chart's Content-ID (without angle brackets), the same for every recipient."""
    return f"chart.{week}.{topic}@newsmon"


def _details(session: Session, topic: str, stories: list[RankedStory]) -> dict[int, ArticleDetail]:
    """Lead and strongest terms of the shown stories' best articles only: texts and score
    explanations are the heavy part of an article row."""
    ids = [story.best.id for story in stories]
    if not ids:
        return {}
    rows = session.execute(select(Article.id, Article.text, Article.topic_scores).where(Article.id.in_(ids)))
    return {
        article_id: ArticleDetail(lead(text), top_terms(scores, topic)) for article_id, text, scores in rows
    }


def _meta(selection: WeekSelection, how: Presentation, topic_title: str, cid: str | None) -> dict[str, Any]:
    top, more = top_and_more(selection, how)
    return {
        "language": how.labels.code,
        "topic_title": topic_title,
        "stories": len(selection.stories),
        "articles": selection.article_count,
        "outlets": selection.outlet_count,
        "previous_articles": selection.previous_articles,
        "daily": selection.daily,
        "chart_cid": cid,
        "shown": [
            {"story_id": story.story_id, "article_ids": [article.id for article in story.articles]}
            for story in top + more
        ],
    }


def make_digest(
    session: Session, *, topic: str, topic_title: str, week: IsoWeek, tz: ZoneInfo, how: Presentation
) -> RenderedDigest:
    """Select, rank and render the topic's week (local time ``tz``)."""
    selection = select_week(session, topic, week, tz)
    top, _ = top_and_more(selection, how)
    cid = chart_cid(topic, week) if selection.stories else None
    chart = (
        daily_volume_png(
            selection.daily,
            [how.labels.weekday_and_day(day) for day in week.days()],
            how.labels.daily_volume,
        )
        if cid
        else None
    )
    context = digest_context(
        topic_name=topic,
        topic_title=topic_title,
        selection=selection,
        details=_details(session, topic, top),
        problems=source_problems(session, week, tz),
        how=how,
        chart_src=f"cid:{cid}" if cid else None,
    )
    parts = render(context)
    return RenderedDigest(
        topic=topic,
        week=week,
        subject=context.subject,
        html=parts.html,
        text=parts.text,
        chart=chart,
        chart_cid=cid,
        meta=_meta(selection, how, topic_title, cid),
    )
