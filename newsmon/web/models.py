"""Response models of the JSON API: they validate what is sent and describe it in /openapi.json.

The field sets are the CLI's JSON shapes (README, "JSON output"), plus the reader's marks.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _ArticleFields(_Model):
    id: int
    title: str
    url: str
    source: str | None
    published_at: str | None = Field(
        description="Local time, no more precise than stated (see date_precision)."
    )
    date_precision: str | None = Field(description="minute, day, month or year.")
    language: str | None
    story_id: int | None
    read: bool = False
    starred: bool = False
    marks: dict[str, bool] = Field(
        default_factory=dict, description="Per topic: marked relevant (true) or not."
    )


class ArticleSummary(_ArticleFields):
    rank: float | None = Field(None, description="Search relevance (higher is better); searches only.")
    snippet: str | None = Field(
        None, description="Search only: text around the matches, each wrapped in \\u0002 … \\u0003."
    )


class ArticlePage(_Model):
    items: list[ArticleSummary]
    offset: int
    limit: int
    total: int | None = Field(description="Number of matches (searches only).")
    next_offset: int | None = Field(description="Offset of the next page; null on the last one.")


class Alias(_Model):
    url: str
    canonical_url: str
    source: str | None
    seen_at: str | None
    title: str | None


class DuplicateDecision(_Model):
    url: str
    layer: str = Field(description="Why the copy counts as this article: url, exact or near.")
    similarity: float | None
    decided_at: str | None


class Contribution(_Model):
    term: str
    contribution: float


class TopicScore(_Model):
    score: float
    threshold: float | None = None
    relevant: bool
    explanation: list[Contribution] = Field(default_factory=list)


class ArticleDetail(_ArticleFields):
    canonical_url: str
    title_origin: str
    date_origin: str | None = Field(description="Where the publication date was found.")
    authors: list[str]
    fetched_at: str | None
    word_count: int
    content_hash: str
    story_similarity: float | None
    topic_scores: dict[str, TopicScore] | None
    text: str
    aliases: list[Alias]
    duplicates: list[DuplicateDecision]
    story_articles: list[ArticleSummary] = Field(description="The other articles of its story.")


class StorySummary(_Model):
    id: int
    title: str
    article_count: int
    first_published: str | None
    last_published: str | None
    article_ids: list[int]


class StoryDetail(_Model):
    id: int
    title: str
    article_count: int
    first_published: str | None
    last_published: str | None
    articles: list[ArticleSummary]


class SourceState(_Model):
    name: str
    kind: str
    outlet: str | None
    url: str | None
    enabled: bool
    origin: str
    last_crawled_at: str | None
    last_outcome: str | None
    last_error: str | None
    consecutive_failures: int
    next_attempt_at: str | None
    unhealthy: bool = Field(description="Failed at least schedule.unhealthy_after times in a row.")
    silent: bool = Field(description="Delivered the week before the last seven days, nothing since.")
    seen_last_week: int | None
    seen_week_before: int | None


class Delivery(_Model):
    recipient: str
    status: str
    message_id: str | None
    attempts: int
    last_error: str | None
    sent_at: str | None
    next_attempt_at: str | None


class DigestSummary(_Model):
    id: int
    topic: str
    iso_week: str
    subject: str
    language: str | None
    stories: int | None
    articles: int | None
    rendered_at: str | None
    deliveries: list[Delivery]


class Topic(_Model):
    name: str
    title: str
    languages: list[str]
    threshold: float


class Problem(_Model):
    detail: str
