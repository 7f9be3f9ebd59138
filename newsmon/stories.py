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

from sqlalchemy import Connection, DateTime, bindparam, case, func, insert, or_, select, update

from newsmon.config import DedupSettings
from newsmon.fingerprints import STORY_INDEX_TERMS, story_similarity, term_key
from newsmon.store.models import Article, Story, StoryTerm

CLUSTERABLE_PRECISIONS = ("minute", "day")
_MAX_CANDIDATES = 20
MIN_SHARED_TERMS = 2  # one shared rare word is chance; same-event reports share several
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class StoryChoice:
    story_id: int
    similarity: float | None  # None: the article started the story


def _day(moment: datetime) -> int:
    return (moment - _EPOCH).days


_SHARED = func.count().label("shared")
# Articles of the time window sharing at least two rare terms, most shared first.
_CANDIDATES = (
    select(StoryTerm.article_id, _SHARED)
    .where(
        StoryTerm.term_key.in_(bindparam("keys", expanding=True)),
        StoryTerm.day.between(bindparam("first"), bindparam("last")),
    )
    .group_by(StoryTerm.article_id)
    .having(_SHARED >= MIN_SHARED_TERMS)
    .order_by(_SHARED.desc())
    .limit(_MAX_CANDIDATES)
)
_INSERT_STORY = insert(Story).returning(Story.id)
_INSERT_TERM = insert(StoryTerm)
_MOMENT = bindparam("moment", type_=DateTime())
_JOIN_STORY = (
    update(Story)
    .where(Story.id == bindparam("story_id"))
    .values(
        article_count=Story.article_count + 1,
        first_published=case(
            (or_(Story.first_published.is_(None), Story.first_published > _MOMENT), _MOMENT),
            else_=Story.first_published,
        ),
        last_published=case(
            (or_(Story.last_published.is_(None), Story.last_published < _MOMENT), _MOMENT),
            else_=Story.last_published,
        ),
    )
)
_CANDIDATE_ROWS = select(Article.story_id, Article.story_terms, Article.published_at).where(
    Article.id.in_(bindparam("ids", expanding=True))
)


def _candidates(
    connection: Connection, terms: dict[str, float], moment: datetime, window: timedelta
) -> list[int]:
    params = {
        "keys": [term_key(term) for term in terms],
        "first": _day(moment - window),
        "last": _day(moment + window),
    }
    return [row.article_id for row in connection.execute(_CANDIDATES, params)]


def _best_match(
    connection: Connection, terms: dict[str, float], moment: datetime, settings: DedupSettings
) -> tuple[int, float] | None:
    window = timedelta(hours=settings.story_window_hours)
    ids = _candidates(connection, terms, moment, window)
    if not ids:
        return None
    rows = connection.execute(_CANDIDATE_ROWS, {"ids": ids})
    best: tuple[int, float] | None = None
    for row in rows:
        if row.story_id is None or row.published_at is None or abs(row.published_at - moment) > window:
            continue
        similarity = story_similarity(terms, row.story_terms)
        if similarity >= settings.story_threshold and (best is None or similarity > best[1]):
            best = (row.story_id, similarity)
    return best


@dataclass(frozen=True)
class StoryInput:
    """What story clustering needs to know about a new article."""

    title: str
    terms: dict[str, float]
    published_at: datetime | None  # naive UTC
    date_precision: str | None
    seen_at: datetime

    @property
    def moment(self) -> datetime | None:
        """The publication time, when it is precise enough to compare events."""
        return self.published_at if self.date_precision in CLUSTERABLE_PRECISIONS else None


def choose_story(connection: Connection, article: StoryInput, settings: DedupSettings) -> StoryChoice:
    """Join the story of the closest same-event report, or start a new story."""
    moment = article.moment
    match = _best_match(connection, article.terms, moment, settings) if moment else None
    if match:
        story_id, similarity = match
        connection.execute(_JOIN_STORY, {"story_id": story_id, "moment": moment})
        return StoryChoice(story_id, round(similarity, 4))
    story_id = connection.execute(
        _INSERT_STORY,
        dict(
            title=article.title,
            first_published=article.published_at,
            last_published=article.published_at,
            article_count=1,
            created_at=article.seen_at,
        ),
    ).scalar_one()
    return StoryChoice(story_id, None)


def index_story_terms(connection: Connection, article_id: int, article: StoryInput) -> None:
    """Make a stored article findable for later reports of the same event."""
    moment = article.moment
    if moment:
        day = _day(moment)
        connection.execute(
            _INSERT_TERM,
            [
                {"term_key": term_key(term), "day": day, "article_id": article_id}
                for term in list(article.terms)[:STORY_INDEX_TERMS]
            ],
        )
