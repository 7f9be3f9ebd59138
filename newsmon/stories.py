"""Story clustering: different texts about the same event share a story, and both are kept.

Two reports are about the same event when they were published close in time *and* share unusual
words (names, products, figures) beyond what the coverage of those days has in common. Time is
the decisive evidence — every article of a monitored topic shares its vocabulary — so articles
without a date precise to the day start a story of their own rather than being joined by text.

Candidates come from the ``story_terms`` index: one range probe per rare term of the new
article over the time window, returning the weight each earlier article gave the term. How many
articles of the window carry a term is measured by the same probe, and a term carried by many
counts for less (a topic word of the week is not evidence of one event). The cost depends on
the number of articles in the window, not on the size of the store.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import Connection, DateTime, bindparam, case, insert, or_, select, update

from newsmon.config import DedupSettings
from newsmon.fingerprints import STORY_INDEX_TERMS, term_key
from newsmon.store.fastsql import FastStatement, InListStatement
from newsmon.store.models import Article, Story, StoryTerm

CLUSTERABLE_PRECISIONS = ("minute", "day")
MIN_SHARED_TERMS = 2  # one shared rare word is chance; same-event reports share several
_MAX_PROBE_ROWS = 5000  # bounds a probe in a window flooded with one term
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class StoryChoice:
    story_id: int
    similarity: float | None  # None: the article started the story


def _minute(moment: datetime) -> int:
    return int((moment - _EPOCH).total_seconds() // 60)


# compiled once per dialect and run on the driver (see newsmon.store.fastsql)
_PROBE = InListStatement(
    "keys",
    lambda keys: (
        select(StoryTerm.term_key, StoryTerm.article_id, StoryTerm.weight)
        .where(
            StoryTerm.term_key.in_(keys),
            StoryTerm.minute.between(bindparam("first"), bindparam("last")),
        )
        .limit(_MAX_PROBE_ROWS)
    ),
)
_STORY_OF = FastStatement(select(Article.story_id).where(Article.id == bindparam("article_id")))
_STORY_COLUMNS = ["title", "first_published", "last_published", "article_count", "created_at"]
_INSERT_STORY = FastStatement(insert(Story).returning(Story.id), _STORY_COLUMNS)
_INSERT_TERM = FastStatement(insert(StoryTerm), ["term_key", "minute", "article_id", "weight"])
_MOMENT = bindparam("moment", type_=DateTime())
_JOIN_STORY = FastStatement(
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


def index_terms(terms: dict[str, float]) -> dict[int, float]:
    """The rarest terms of a profile as index keys with their weights."""
    return {term_key(term): weight for term, weight in list(terms.items())[:STORY_INDEX_TERMS]}


def specificity(carriers: int) -> float:
    """How much a shared term says about one event when ``carriers`` articles of the window have it."""
    return 1.0 / (1.0 + math.log2(max(carriers, 1)))


def _best_match(
    connection: Connection, keys: dict[int, float], moment: datetime, settings: DedupSettings
) -> tuple[int, float] | None:
    """The earlier article (id, similarity) sharing the most specific weight, if it is enough.

    Similarity: the sum over shared terms of the smaller weight times the term's specificity,
    divided by the new article's total index weight.
    """
    span = settings.story_window_hours * 60
    centre = _minute(moment)
    rows = _PROBE.all(connection, {"keys": list(keys), "first": centre - span, "last": centre + span})
    carriers: dict[int, int] = defaultdict(int)
    for key, _, _ in rows:
        carriers[key] += 1
    shared: dict[int, list[float]] = defaultdict(list)
    for key, article_id, weight in rows:
        shared[article_id].append(min(weight, keys[key]) * specificity(carriers[key]))
    total = sum(keys.values())
    best: tuple[int, float] | None = None
    for article_id, contributions in shared.items():
        if len(contributions) < MIN_SHARED_TERMS:
            continue
        similarity = sum(contributions) / total
        if similarity >= settings.story_threshold and (best is None or similarity > best[1]):
            best = (article_id, similarity)
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

    @cached_property
    def index_keys(self) -> dict[int, float]:
        return index_terms(self.terms)


def choose_story(connection: Connection, article: StoryInput, settings: DedupSettings) -> StoryChoice:
    """Join the story of the closest same-event report, or start a new story."""
    moment = article.moment
    keys = article.index_keys
    match = _best_match(connection, keys, moment, settings) if moment and keys else None
    story_id = _STORY_OF.scalar(connection, {"article_id": match[0]}) if match else None
    if match and story_id is not None:
        _JOIN_STORY.execute(connection, {"story_id": story_id, "moment": moment})
        return StoryChoice(story_id, round(match[1], 4))
    story_id = _INSERT_STORY.scalar(
        connection,
        dict(
            title=article.title,
            first_published=article.published_at,
            last_published=article.published_at,
            article_count=1,
            created_at=article.seen_at,
        ),
    )
    return StoryChoice(story_id, None)


def story_term_rows(
    article_id: int, keys: dict[int, float], moment: datetime | None
) -> list[dict[str, int | float]]:
    """The index rows that make an article findable by later reports of the same event."""
    if moment is None:
        return []
    minute = _minute(moment)
    return [
        {"term_key": key, "minute": minute, "article_id": article_id, "weight": weight}
        for key, weight in keys.items()
    ]


def index_story_terms(connection: Connection, article_id: int, article: StoryInput) -> None:
    """Make a stored article findable for later reports of the same event."""
    rows = story_term_rows(article_id, article.index_keys, article.moment)
    _INSERT_TERM.executemany(connection, rows)
