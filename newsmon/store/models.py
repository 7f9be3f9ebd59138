"""SQLAlchemy models of the store. The schema itself is owned by the Alembic migrations.

Times are stored as naive UTC (``DateTime`` without zone) so SQLite and PostgreSQL round-trip the
same values; conversion to the configured zone happens on output.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Unicode,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


# the list orders as indexes (migration 0010), outside the models because the databases need
# different ones: SQLite reads ix_articles_published_at backwards in the articles' order and
# cannot declare NULLS LAST in an index
NEWEST_FIRST_INDEXES = frozenset({"ix_articles_newest_first", "ix_stories_newest_first"})


class Base(DeclarativeBase):
    pass


class Source(Base):
    """Where documents come from: a feed, sitemap, search or the local import, with its crawl state.

    ``origin`` says who declared it: ``shipped`` (seeds/sources.toml, synced by name), ``user``
    (`newsmon sources add`) or ``import`` (only a name documents were stored under). The crawler
    keeps the state columns; a source is healthy while ``consecutive_failures`` is 0.
    """

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # feed | sitemap | search | import
    url: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    outlet: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    origin: Mapped[str] = mapped_column(String(10), server_default="import")  # shipped | user | import
    verified: Mapped[bool] = mapped_column(Boolean, server_default=true())
    url_template: Mapped[str | None] = mapped_column(Text)  # search sources: {query} is filled in
    etag: Mapped[str | None] = mapped_column(Text)  # validators of the last response, for conditional GET
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_crawled_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_outcome: Mapped[str | None] = mapped_column(Text)  # "ok: 12 new", "failed: HTTP 503"
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)  # back-off after failures


class Story(Base):
    """A cluster of articles reporting the same event."""

    # (also ix_stories_newest_first, outside the models: see NEWEST_FIRST_INDEXES)
    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    first_published: Mapped[datetime | None] = mapped_column(DateTime)
    last_published: Mapped[datetime | None] = mapped_column(DateTime)
    article_count: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    title: Mapped[str] = mapped_column(Text)
    title_origin: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    date_precision: Mapped[str | None] = mapped_column(String(10))  # minute | day | month | year
    date_origin: Mapped[str | None] = mapped_column(String(40))
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    content_hash: Mapped[str] = mapped_column(String(32), unique=True)
    word_count: Mapped[int] = mapped_column(Integer)
    shingle_count: Mapped[int] = mapped_column(Integer)
    minhash: Mapped[bytes] = mapped_column(LargeBinary)
    story_terms: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"))
    story_similarity: Mapped[float | None] = mapped_column(Float)
    topic_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    source: Mapped[Source | None] = relationship()
    story: Mapped[Story | None] = relationship()
    aliases: Mapped[list[ArticleUrl]] = relationship(back_populates="article", order_by="ArticleUrl.id")

    # (PostgreSQL also ix_articles_newest_first, outside the models: see NEWEST_FIRST_INDEXES)
    __table_args__ = (
        Index("ix_articles_published_at", "published_at"),
        Index("ix_articles_story_id", "story_id"),
        Index("ix_articles_source_id", "source_id"),
    )


class ArticleUrl(Base):
    """Every address under which an article was seen, with the decision that tied it to the article.

    The article's own URL has ``layer`` NULL. A syndicated or duplicate copy adds a row whose
    ``layer`` (url | exact | near) and ``similarity`` say why it counts as the same article.
    """

    __tablename__ = "article_urls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    layer: Mapped[str | None] = mapped_column(String(10))
    similarity: Mapped[float | None] = mapped_column(Float)
    title: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(DateTime)

    article: Mapped[Article] = relationship(back_populates="aliases")
    source: Mapped[Source | None] = relationship()

    __table_args__ = (
        UniqueConstraint("canonical_url", name="uq_article_urls_canonical_url"),
        Index("ix_article_urls_article_id", "article_id"),
        # what each source delivered in a period (source health, digest): a range, not a scan
        Index("ix_article_urls_seen_at_source_id", "seen_at", "source_id"),
    )


class LshBand(Base):
    """MinHash LSH band keys: an article is a near-duplicate candidate of any sharing a key."""

    __tablename__ = "lsh_bands"

    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_lsh_bands_article_id", "article_id"), {"sqlite_with_rowid": False})


class StoryTerm(Base):
    """Rare terms of dated articles with their weight and publication minute.

    One range probe per term finds the same-event candidates of a time window and carries all
    that the similarity needs, so no article row is read to compare.
    """

    __tablename__ = "story_terms"

    term_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True)  # minutes since 1970-01-01 (UTC)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_story_terms_article_id", "article_id"), {"sqlite_with_rowid": False})


class FetchLog(Base):
    """One row per attempt to turn a URL (or file) into an article, with its outcome and reason."""

    __tablename__ = "fetch_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    outcome: Mapped[str] = mapped_column(String(20))  # stored | duplicate | rejected | error
    reason: Mapped[str | None] = mapped_column(Text)
    status_code: Mapped[int | None] = mapped_column(Integer)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_fetch_log_canonical_url", "canonical_url"),
        Index("ix_fetch_log_at", "at"),
    )


class Digest(Base):
    """A rendered digest of one topic and ISO week (archived, whether sent or not).

    ``html`` refers to ``chart`` (a PNG) by Content-ID; both are kept so that a delivery retried
    later sends exactly what was archived. ``meta`` holds language, counts and the Content-ID.
    """

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    iso_week: Mapped[str] = mapped_column(String(10))  # 2026-W03
    subject: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rendered_at: Mapped[datetime] = mapped_column(DateTime)
    chart: Mapped[bytes | None] = mapped_column(LargeBinary)

    deliveries: Mapped[list[DigestDelivery]] = relationship(
        back_populates="digest", order_by="DigestDelivery.id", passive_deletes=True
    )

    __table_args__ = (UniqueConstraint("topic", "iso_week", name="uq_digests_topic_week"),)


class DigestDelivery(Base):
    """Exactly-once mail state per digest and recipient (see reports/delivery.py).

    ``pending`` (not handed to SMTP yet, or refused for a reason that may pass; ``next_attempt_at``
    is the back-off) → ``sending`` (claimed at ``claimed_at`` by a run that is handing it to SMTP)
    → ``sent`` (accepted). ``failed``: refused for good (e.g. unknown recipient). ``message_id``
    is fixed when the row is created, so every attempt sends the same Message-ID.
    """

    __tablename__ = "digest_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(10))  # pending | sending | sent | failed
    message_id: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)

    digest: Mapped[Digest] = relationship(back_populates="deliveries")

    __table_args__ = (UniqueConstraint("digest_id", "recipient", name="uq_digest_deliveries_recipient"),)


class TopicFeedback(Base):
    """A person's verdict on whether an article belongs to a topic (one per article and topic).

    `newsmon topics eval` measures the topic's precision and recall on these marks; a new mark
    replaces the earlier one. The topic is the profile's name, not a foreign key: profiles live in
    seeds/topics.toml, and a mark outlives a renamed or removed profile.
    """

    __tablename__ = "topic_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(200))
    relevant: Mapped[bool] = mapped_column(Boolean)
    marked_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("article_id", "topic", name="uq_topic_feedback_article_topic"),
        Index("ix_topic_feedback_topic", "topic"),
    )


class ArticleTopic(Base):
    """A topic an article was judged relevant to: the verdicts of ``Article.topic_scores`` as an
    indexed table, so a topic filter is an index range rather than JSON parsed per row. Kept in
    step with ``topic_scores`` by triggers (migration 0008); never written directly."""

    __tablename__ = "article_topics"

    topic: Mapped[str] = mapped_column(String(200), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_article_topics_article_id", "article_id"), {"sqlite_with_rowid": False})


class ArticleMark(Base):
    """The reader's own state of an article: when it was read and when starred (NULL: not).

    Kept apart from ``articles`` so that marking never rewrites an article row (nor, on
    PostgreSQL, its search vector); no row means unread and not starred.
    """

    __tablename__ = "article_marks"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    starred_at: Mapped[datetime | None] = mapped_column(DateTime)


class DaemonLock(Base):
    """Who runs the scheduler of this database: one row per lock name, held until ``expires_at``.

    The holder renews ``expires_at`` with each heartbeat; a second daemon may take the row only
    once it has expired (the holder died without releasing it). Living in the store itself, the
    lock works for daemons on different machines sharing one PostgreSQL database.
    """

    __tablename__ = "daemon_lock"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))  # host:pid:random, unique per daemon start
    acquired_at: Mapped[datetime] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class DaemonRun(Base):
    """One run of a daemon job: when, how it ended and what it did (``newsmon status`` reads it)."""

    __tablename__ = "daemon_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(50))  # crawl:feed | crawl:sitemap | crawl:search | digest | …
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))  # ok | failed | timeout | crashed | stopped | …
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_daemon_runs_job_started_at", "job", "started_at"),)


class ApschedulerJob(Base):
    """APScheduler's job store table (``SQLAlchemyJobStore``), declared here so the migrations own
    it like every other table; the column types are the ones APScheduler 3.11 creates."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
