"""Which stories of a week belong in a topic's digest, and in which order.

An article belongs to the week when its publication date (known to the day or minute) falls in
it, or, undated, when it was fetched in it; articles dated only to the month or year cannot be
placed in a week and are left out. A story is in the topic's digest when at least one of its
articles of the week was judged relevant to the topic (``Article.topic_scores[topic].relevant``);
its other articles of the week report the same event and count as coverage too.

A duplicate (an ``article_urls`` alias: the same text at another address) is never a second
article, but the outlet it appeared in has reported the story, so it counts for the story's
outlets ("auch berichtet von").

Ranking, most important first (ties fall through to the next criterion):

1. outlets: how many distinct outlets carried the story (including syndicated copies);
2. source diversity: how many of them wrote their own text rather than running a copy — three
   outlets with three reports weigh more than one agency text printed three times;
3. topic score: the best relevance score among the story's articles;
4. recency: the latest article first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Select, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from newsmon.store.models import Article, ArticleUrl, Source
from newsmon.store.queries import topic_relevant
from reports.weeks import IsoWeek

PLACEABLE_PRECISIONS = ("minute", "day")
TOP_TERMS = 3
_EPOCH = datetime(1970, 1, 1)


def _seconds(moment: datetime) -> float:
    return (moment - _EPOCH).total_seconds()


class Outlet(NamedTuple):
    """An outlet that carried a story and the address it did so under."""

    name: str
    url: str


class WeekArticle(NamedTuple):
    """One article of the week, with what ranking and the digest need (no text: leads load later).

    A named tuple: ten thousand of them are made per digest, and a tuple is built in C.
    """

    id: int
    title: str
    url: str
    outlet: str
    moment: datetime  # naive UTC: publication, or fetch time when undated
    story_id: int | None
    score: float


@dataclass(frozen=True)
class RankedStory:
    """A story of the week in a topic: its articles, its outlets, and what it is ranked by."""

    story_id: int | None
    articles: tuple[WeekArticle, ...]  # oldest first
    best: WeekArticle  # the article the digest quotes: the most relevant, earliest among equals
    outlets: tuple[Outlet, ...]  # distinct, the best article's first, copies' outlets included
    independent_outlets: int  # outlets with a text of their own
    score: float
    latest: datetime

    @classmethod
    def of(cls, story_id: int | None, articles: list[WeekArticle], copies: list[Outlet]) -> RankedStory:
        ordered = tuple(sorted(articles, key=lambda a: (a.moment, a.id)))
        best = max(ordered, key=lambda a: (a.score, -_seconds(a.moment), -a.id))
        outlets: dict[str, Outlet] = {}
        for outlet in [Outlet(best.outlet, best.url), *(Outlet(a.outlet, a.url) for a in ordered), *copies]:
            outlets.setdefault(outlet.name.casefold(), outlet)
        return cls(
            story_id=story_id,
            articles=ordered,
            best=best,
            outlets=tuple(outlets.values()),
            independent_outlets=len({article.outlet.casefold() for article in ordered}),
            score=max(article.score for article in ordered),
            latest=ordered[-1].moment,
        )

    def rank_key(self) -> tuple[int, int, float, float, int]:
        return (
            -len(self.outlets),
            -self.independent_outlets,
            -self.score,
            -_seconds(self.latest),
            self.best.id,
        )


@dataclass(frozen=True)
class WeekSelection:
    """A topic's week: ranked stories and the counts the digest states."""

    topic: str
    week: IsoWeek
    stories: list[RankedStory]
    daily: list[int]  # articles per day, Monday first
    previous_articles: int  # the same count for the week before

    @property
    def article_count(self) -> int:
        return sum(len(story.articles) for story in self.stories)

    @property
    def outlet_count(self) -> int:
        return len({outlet.name.casefold() for story in self.stories for outlet in story.outlets})


def outlet_name(source: Source | None, url: str) -> str:
    """How a reader knows the outlet: its declared name, else the site's host, else the source."""
    if source is not None and source.outlet:
        return source.outlet
    host = urlsplit(url).hostname or ""
    if host:
        return host.removeprefix("www.")
    return source.name if source is not None else "?"


def top_terms(scores: dict[str, Any] | None, topic: str) -> tuple[str, ...]:
    """The terms that contributed most to the article's score for ``topic``, strongest first."""
    entry = (scores or {}).get(topic)
    if not isinstance(entry, dict):
        return ()
    explanation = [item for item in entry.get("explanation") or [] if item.get("contribution", 0) > 0]
    explanation.sort(key=lambda item: -item["contribution"])
    return tuple(str(item["term"]) for item in explanation[:TOP_TERMS])


def _in_week(start: datetime, end: datetime) -> Any:
    dated = and_(
        Article.published_at >= start,
        Article.published_at < end,
        Article.date_precision.in_(PLACEABLE_PRECISIONS),
    )
    undated = and_(Article.published_at.is_(None), Article.fetched_at >= start, Article.fetched_at < end)
    return or_(dated, undated)


def _week_query(topic: str, start: datetime, end: datetime) -> Select[Any]:
    return select(
        Article.id,
        Article.title,
        Article.url,
        Article.source_id,
        type_coerce(func.coalesce(Article.published_at, Article.fetched_at), DateTime).label("moment"),
        Article.story_id,
        Article.topic_scores[(topic, "score")].as_float().label("score"),
        topic_relevant(topic).label("relevant"),
    ).where(_in_week(start, end))


def _copies_query(start: datetime, end: datetime) -> Select[Any]:
    return (
        select(ArticleUrl.article_id, ArticleUrl.url, ArticleUrl.source_id)
        .join(Article, Article.id == ArticleUrl.article_id)
        .where(ArticleUrl.layer.is_not(None), _in_week(start, end))
        .order_by(ArticleUrl.id)
    )


def _story_key(story_id: int | None, article_id: int) -> tuple[str, int]:
    return ("story", story_id) if story_id is not None else ("article", article_id)


def _group(
    session: Session, topic: str, week: IsoWeek, tz: ZoneInfo, sources: dict[int, Source]
) -> list[RankedStory]:
    """The week's stories that have a relevant article, unranked."""
    start, end = week.bounds(tz)
    declared = {source_id: source.outlet for source_id, source in sources.items() if source.outlet}

    def outlet(source_id: int | None, url: str) -> str:
        return declared.get(source_id) or outlet_name(sources.get(source_id), url)  # type: ignore[arg-type]

    members: dict[tuple[str, int], list[WeekArticle]] = defaultdict(list)
    relevant: set[tuple[str, int]] = set()
    # Core execution on the session's connection: the ORM's result layer is not needed for columns
    connection = session.connection()
    for row in connection.execute(_week_query(topic, start, end)):
        key = _story_key(row.story_id, row.id)
        members[key].append(
            WeekArticle(
                row.id,
                row.title,
                row.url,
                outlet(row.source_id, row.url),
                row.moment,
                row.story_id,
                row.score or 0.0,
            )
        )
        if row.relevant:
            relevant.add(key)
    copies: dict[tuple[str, int], list[Outlet]] = defaultdict(list)
    if relevant:
        story_of = {article.id: key for key in relevant for article in members[key]}
        for article_id, url, source_id in connection.execute(_copies_query(start, end)):
            if article_id in story_of:
                copies[story_of[article_id]].append(Outlet(outlet(source_id, url), url))
    return [RankedStory.of(members[key][0].story_id, members[key], copies[key]) for key in relevant]


def _count_in_relevant_stories(session: Session, topic: str, week: IsoWeek, tz: ZoneInfo) -> int:
    """How many articles ``_group`` would select for ``week``, without building them."""
    start, end = week.bounds(tz)
    sizes: dict[tuple[str, int], int] = defaultdict(int)
    relevant: set[tuple[str, int]] = set()
    query = select(Article.id, Article.story_id, topic_relevant(topic)).where(_in_week(start, end))
    for article_id, story_id, is_relevant in session.connection().execute(query):
        key = _story_key(story_id, article_id)
        sizes[key] += 1
        if is_relevant:
            relevant.add(key)
    return sum(sizes[key] for key in relevant)


def rank(stories: Iterable[RankedStory]) -> list[RankedStory]:
    """Most important first (see the module docstring)."""
    return sorted(stories, key=RankedStory.rank_key)


def daily_counts(stories: Sequence[RankedStory], week: IsoWeek, tz: ZoneInfo) -> list[int]:
    """Articles per local day of the week, Monday first."""
    days = {day: index for index, day in enumerate(week.days())}
    counts = [0] * 7
    for story in stories:
        for article in story.articles:
            local = article.moment.replace(tzinfo=UTC).astimezone(tz).date()
            if local in days:
                counts[days[local]] += 1
    return counts


def select_week(session: Session, topic: str, week: IsoWeek, tz: ZoneInfo) -> WeekSelection:
    """The topic's ranked stories of ``week`` (local time ``tz``) and the week before's count."""
    sources = {source.id: source for source in session.scalars(select(Source))}
    stories = rank(_group(session, topic, week, tz, sources))
    return WeekSelection(
        topic=topic,
        week=week,
        stories=stories,
        daily=daily_counts(stories, week, tz),
        previous_articles=_count_in_relevant_stories(session, topic, week.previous(), tz),
    )
