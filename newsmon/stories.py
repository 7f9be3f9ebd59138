"""Story clustering: different texts about the same event share a story, and both are kept.

Two reports are about the same event when they were published close in time *and* share unusual
words (names, products, figures) beyond what the topic has in common. Time is the decisive
evidence — every article of a monitored topic shares its vocabulary — so articles without a date
precise to the day start a story of their own rather than being joined by text alone.

Candidates come from the ``story_terms`` index (rarest terms by day), so the lookup cost does not
grow with the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from newsmon.config import DedupSettings
from newsmon.fingerprints import STORY_INDEX_TERMS, story_similarity, term_key
from newsmon.store.models import Article, Story, StoryTerm

CLUSTERABLE_PRECISIONS = ("minute", "day")
_MAX_CANDIDATES = 50
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class StoryChoice:
    story_id: int
    similarity: float | None  # None: the article started the story


def _day(moment: datetime) -> int:
    return (moment - _EPOCH).days


def _candidates(session: Session, terms: dict[str, float], moment: datetime, window: timedelta) -> list[int]:
    keys = [term_key(term) for term in terms]
    first, last = _day(moment - window), _day(moment + window)
    shared = func.count().label("shared")
    query = (
        select(StoryTerm.article_id, shared)
        .where(StoryTerm.term_key.in_(keys), StoryTerm.day.between(first, last))
        .group_by(StoryTerm.article_id)
        .order_by(shared.desc())
        .limit(_MAX_CANDIDATES)
    )
    return [row.article_id for row in session.execute(query)]


def _best_match(
    session: Session, terms: dict[str, float], moment: datetime, settings: DedupSettings
) -> tuple[int, float] | None:
    window = timedelta(hours=settings.story_window_hours)
    ids = _candidates(session, terms, moment, window)
    if not ids:
        return None
    rows = session.execute(
        select(Article.story_id, Article.story_terms, Article.published_at).where(Article.id.in_(ids))
    )
    best: tuple[int, float] | None = None
    for row in rows:
        if row.story_id is None or row.published_at is None or abs(row.published_at - moment) > window:
            continue
        similarity = story_similarity(terms, row.story_terms)
        if similarity >= settings.story_threshold and (best is None or similarity > best[1]):
            best = (row.story_id, similarity)
    return best


def assign_story(session: Session, article: Article, settings: DedupSettings) -> StoryChoice:
    """Put a just-inserted article into the story of its closest same-event report, or a new one."""
    moment = article.published_at if article.date_precision in CLUSTERABLE_PRECISIONS else None
    match = _best_match(session, article.story_terms, moment, settings) if moment else None
    if match:
        story_id, similarity = match
        story = session.get_one(Story, story_id)
        story.article_count += 1
        story.first_published = min(filter(None, (story.first_published, moment)))
        story.last_published = max(filter(None, (story.last_published, moment)))
        choice = StoryChoice(story_id, round(similarity, 4))
    else:
        story_id = session.execute(
            insert(Story)
            .values(
                title=article.title,
                first_published=article.published_at,
                last_published=article.published_at,
                article_count=1,
                created_at=article.fetched_at,
            )
            .returning(Story.id)
        ).scalar_one()
        choice = StoryChoice(story_id, None)
    article.story_id = choice.story_id
    article.story_similarity = choice.similarity
    if moment:
        index_terms = list(article.story_terms)[:STORY_INDEX_TERMS]
        session.execute(
            insert(StoryTerm),
            [
                {"term_key": term_key(term), "day": _day(moment), "article_id": article.id}
                for term in index_terms
            ],
        )
    return choice
