"""Typed contexts the templates render from, and how a week's selection becomes one.

Every value a template shows is prepared here: words come from ``Labels``, dates are formatted,
URLs built. Templates only lay out, so the HTML and the text part cannot disagree on content,
and a test can check a context without parsing markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import quote
from zoneinfo import ZoneInfo

from newsmon.topics.scoring import SIMILARITY_LABEL
from reports.health import SourceProblem
from reports.i18n import Labels
from reports.selection import RankedStory, WeekArticle, WeekSelection


@dataclass(frozen=True)
class ArticleDetail:
    """What a top story shows of its best article beyond the selection: lead and strongest terms."""

    lead: str
    terms: tuple[str, ...]


NO_DETAIL = ArticleDetail("", ())


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class StoryContext:
    """A top story: headline, lead, date and outlet of its best article, why, who else reported."""

    rank: int
    headline: str
    url: str
    lead: str
    date: str
    outlet: str
    why: tuple[str, ...]
    also: tuple[Link, ...]
    review_url: str | None


@dataclass(frozen=True)
class MoreContext:
    """A story below the top ones: one line with its headline, outlet and date."""

    headline: str
    url: str
    outlet: str
    date: str
    outlets: int  # how many outlets carried it


@dataclass(frozen=True)
class CountsContext:
    articles: str  # "40 Artikel"
    stories: str
    outlets: str
    change: str  # "+25 % gegenüber der Vorwoche"


@dataclass(frozen=True)
class HealthContext:
    source: str  # "golem-news (Golem)"
    problem: str


@dataclass(frozen=True)
class DigestContext:
    """Everything ``digest.html`` and ``digest.txt`` show."""

    t: Labels
    subject: str
    topic_title: str
    week: str  # "KW 3/2026"
    week_long: str
    period: str  # "12.–18. Januar 2026"
    counts: CountsContext
    days: tuple[tuple[str, int], ...]  # ("Mo.", 3), … for the text part's volume line
    stories: tuple[StoryContext, ...]
    more: tuple[MoreContext, ...]
    health: tuple[HealthContext, ...]
    chart_src: str | None  # cid:… in mail
    review_url: str | None

    @property
    def empty(self) -> bool:
        return not self.stories


@dataclass(frozen=True)
class Presentation:
    """How to present a selection: language, time zone, how much, where the review UI is."""

    labels: Labels
    tz: ZoneInfo
    top_stories: int
    more_articles: int
    review_base_url: str | None


def subject(labels: Labels, topic_title: str, selection: WeekSelection) -> str:
    """``newsmon: KI-Wettlauf USA–China — KW 3/2026, 12 Geschichten``."""
    week = labels.week(selection.week)
    if not selection.stories:
        return f"newsmon: {topic_title} — {week}, {labels.no_coverage_subject}"
    stories = labels.count(len(selection.stories), labels.story_one, labels.story_many)
    return f"newsmon: {topic_title} — {week}, {stories}"


def _date(article: WeekArticle, how: Presentation) -> str:
    return how.labels.day(article.moment.replace(tzinfo=UTC).astimezone(how.tz).date())


def _why(terms: tuple[str, ...], labels: Labels) -> tuple[str, ...]:
    return tuple(labels.similarity if term == SIMILARITY_LABEL else term for term in terms)


def _review(how: Presentation, path: str) -> str | None:
    return f"{how.review_base_url}/{path}" if how.review_base_url else None


def _story(rank: int, story: RankedStory, detail: ArticleDetail, how: Presentation) -> StoryContext:
    best = story.best
    return StoryContext(
        rank=rank,
        headline=best.title,
        url=best.url,
        lead=detail.lead,
        date=_date(best, how),
        outlet=best.outlet,
        why=_why(detail.terms, how.labels),
        also=tuple(Link(outlet.name, outlet.url) for outlet in story.outlets[1:]),
        review_url=_review(how, f"stories/{story.story_id}") if story.story_id is not None else None,
    )


def _more(story: RankedStory, how: Presentation) -> MoreContext:
    best = story.best
    return MoreContext(best.title, best.url, best.outlet, _date(best, how), len(story.outlets))


def _health(problem: SourceProblem, labels: Labels) -> HealthContext:
    name = f"{problem.name} ({problem.outlet})" if problem.outlet else problem.name
    if problem.failures:
        text = labels.failing.format(count=problem.failures, error=problem.error or "?")
    else:
        text = labels.silent.format(previous=labels.number(problem.previous_week))
    return HealthContext(name, text)


def top_and_more(selection: WeekSelection, how: Presentation) -> tuple[list[RankedStory], list[RankedStory]]:
    """The stories shown in full and the ones listed below them."""
    top = selection.stories[: how.top_stories]
    more = selection.stories[how.top_stories : how.top_stories + how.more_articles]
    return top, more


def digest_context(
    *,
    topic_name: str,
    topic_title: str,
    selection: WeekSelection,
    details: Mapping[int, ArticleDetail],
    problems: Sequence[SourceProblem],
    how: Presentation,
    chart_src: str | None,
) -> DigestContext:
    """The context of one topic's week; ``details`` are keyed by the top stories' best article ids."""
    labels = how.labels
    top, more = top_and_more(selection, how)
    return DigestContext(
        t=labels,
        subject=subject(labels, topic_title, selection),
        topic_title=topic_title,
        week=labels.week(selection.week),
        week_long=labels.week(selection.week, short=False),
        period=labels.period(selection.week),
        counts=CountsContext(
            articles=labels.count(selection.article_count, labels.article_one, labels.article_many),
            stories=labels.count(len(selection.stories), labels.story_one, labels.story_many),
            outlets=labels.count(selection.outlet_count, labels.outlet_one, labels.outlet_many),
            change=labels.change(selection.article_count, selection.previous_articles),
        ),
        days=tuple(zip(labels.weekdays, selection.daily, strict=True)),
        stories=tuple(
            _story(rank, story, details.get(story.best.id, NO_DETAIL), how)
            for rank, story in enumerate(top, 1)
        ),
        more=tuple(_more(story, how) for story in more),
        health=tuple(_health(problem, labels) for problem in problems),
        chart_src=chart_src,
        review_url=_review(how, f"topics/{quote(topic_name)}?week={selection.week}"),
    )
