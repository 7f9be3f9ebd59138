"""The one path from a raw document to the store, shared by `newsmon import` and the crawler.

Per document, in one savepoint: URL layer → extraction and gates → content layers → insert
article, its URL, LSH bands, story → fetch log. Either all rows of a document are written or
none; every document leaves a fetch-log row saying what happened and why. Documents in a row
share transactions (``Ingestor.batch``), which is what makes bulk imports and crawls fast.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, RootTransaction, insert, select
from sqlalchemy.exc import IntegrityError

from newsmon.config import Config
from newsmon.dedup import Decision, Fingerprint, find_by_url, find_duplicate, fingerprint_text
from newsmon.errors import InputError
from newsmon.extract import Article as CleanArticle
from newsmon.extract import RawDocument, extract_article
from newsmon.fingerprints import signature_bytes
from newsmon.store.db import WRITE_OPTION, BackgroundCheckpoints, Store
from newsmon.store.fastsql import FastStatement, driver_error, run_driver_sql
from newsmon.store.models import Article, ArticleUrl, FetchLog, LshBand, Source
from newsmon.stories import StoryInput, choose_story, index_story_terms
from newsmon.topics import TopicProfile, TopicScore, score_topics, scores_record
from newsmon.urls import canonical_url

log = logging.getLogger(__name__)

# Built once; executed with plain parameter dicts on the hot path.
# compiled once per dialect and run on the driver (see newsmon.store.fastsql)
_ARTICLE_COLUMNS = [
    "canonical_url",
    "url",
    "source_id",
    "title",
    "title_origin",
    "text",
    "language",
    "published_at",
    "date_precision",
    "date_origin",
    "authors",
    "fetched_at",
    "content_hash",
    "word_count",
    "shingle_count",
    "minhash",
    "story_terms",
    "story_id",
    "story_similarity",
    "topic_scores",
]
_INSERT_ARTICLE = FastStatement(insert(Article).returning(Article.id), _ARTICLE_COLUMNS)
_URL_COLUMNS = ["article_id", "url", "canonical_url", "source_id", "layer", "similarity", "title", "seen_at"]
_INSERT_URL = FastStatement(insert(ArticleUrl), _URL_COLUMNS)
_INSERT_BAND = FastStatement(insert(LshBand), ["band_key", "article_id"])
_LOG_COLUMNS = ["url", "canonical_url", "source_id", "outcome", "reason", "article_id", "at"]
_INSERT_LOG = FastStatement(insert(FetchLog), _LOG_COLUMNS)

Status = Literal["stored", "duplicate", "rejected"]


@dataclass(frozen=True)
class Precomputed:
    """What a caller worked out for a document before it reached the store, off the store's
    path: a crawl extracts, scores and fingerprints pages in its worker processes, so the one
    process that writes only decides and writes. Anything left None is computed here."""

    article: CleanArticle | None = None
    topic_scores: Sequence[TopicScore] | None = None
    fingerprint: Fingerprint | None = None
BATCH_SIZE = 100  # documents per transaction in a batch: commits and their syncs amortised


@dataclass(frozen=True)
class IngestResult:
    """What happened to one document; the shape of `newsmon import --json` lines."""

    url: str
    status: Status
    article_id: int | None = None
    duplicate_of: int | None = None
    layer: str | None = None
    similarity: float | None = None
    reason: str | None = None
    story_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def _to_utc_naive(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


@contextmanager
def _savepoint(connection: Connection) -> Iterator[None]:
    """A savepoint in plain SQL on the driver (same on SQLite and PostgreSQL): SQLAlchemy's
    nested transactions cost fifty times as much, once per document."""
    run_driver_sql(connection, "SAVEPOINT newsmon_document")
    try:
        yield
    except BaseException:
        run_driver_sql(connection, "ROLLBACK TO SAVEPOINT newsmon_document")
        run_driver_sql(connection, "RELEASE SAVEPOINT newsmon_document")
        raise
    run_driver_sql(connection, "RELEASE SAVEPOINT newsmon_document")


class Ingestor:
    """Stores documents through the dedup layers. One instance per run; holds no article state."""

    def __init__(self, store: Store, config: Config, topics: Sequence[TopicProfile] = ()) -> None:
        """``topics``: profiles every stored article is scored against (its ``topic_scores``,
        which the digest selects by). Scoring happens after the dedup layers, so copies cost
        nothing; without profiles articles are stored unscored."""
        self.store = store
        self.config = config
        self.topics = tuple(topics)
        self._source_ids: dict[str, int] = {}

    def _source_id(self, connection: Connection, name: str) -> int:
        if name not in self._source_ids:
            source_id = connection.scalar(select(Source.id).where(Source.name == name))
            if source_id is None:
                kind = "import" if name == "import" else "feed"
                source_id = connection.execute(
                    insert(Source)
                    .values(name=name, kind=kind, enabled=True, created_at=utcnow())
                    .returning(Source.id)
                ).scalar_one()
            self._source_ids[name] = source_id
        return self._source_ids[name]

    def reject(self, url: str, source: str, reason: str) -> IngestResult:
        """Record a document that never reached extraction (unreadable, too large, binary)."""
        with self.batch(size=1) as batch:
            batch.reject(url, source, reason)
        return batch.results[-1]

    def ingest(self, document: RawDocument, article: CleanArticle | None = None) -> IngestResult:
        """Decide and record the fate of one document in its own transaction.

        ``article`` skips extraction when the caller already has the clean article (benchmarks,
        a crawler pipeline that extracted in a worker process). Many documents in a row go
        faster through ``batch()``.
        """
        with self.batch(size=1) as batch:
            batch.ingest(document, article)
        return batch.results[-1]

    def batch(
        self,
        size: int = BATCH_SIZE,
        max_seconds: float = 2.0,
        on_commit: Callable[[list[IngestResult]], None] | None = None,
    ) -> IngestBatch:
        """A run of documents written in shared transactions (see IngestBatch)."""
        return IngestBatch(self, size, max_seconds, on_commit)

    def _decide_safely(
        self, connection: Connection, document: RawDocument, known: Precomputed
    ) -> IngestResult:
        """Decide one document inside a savepoint, so its rows are written whole or not at all."""
        try:
            with _savepoint(connection):
                return self._decide(connection, document, known)
        except (IntegrityError, driver_error(connection, "IntegrityError")):
            # another process stored the same URL or text between our check and insert: decide again
            log.info("concurrent insert for %s, deciding again", document.url)
            self._source_ids.clear()  # a source row created in the rolled-back savepoint is gone
            with _savepoint(connection):
                return self._decide(connection, document, known)

    def _reject(self, connection: Connection, url: str, source: str, reason: str) -> IngestResult:
        document = RawDocument(url=url, content="", kind="text", source=source)
        with _savepoint(connection):
            result = IngestResult(url, "rejected", reason=reason)
            source_id = self._source_id(connection, source)
            return self._log(connection, document, canonical_url(url), source_id, result)

    def _decide(self, connection: Connection, document: RawDocument, known: Precomputed) -> IngestResult:
        canonical = canonical_url(document.url)
        source_id = self._source_id(connection, document.source)
        decision = find_by_url(connection, canonical)
        if decision:
            return self._log(connection, document, canonical, source_id, self._duplicate(document, decision))
        article = known.article
        if article is None:
            try:
                article = extract_article(document, self.config.tz, self.config.import_.min_words)
            except InputError as exc:
                result = IngestResult(document.url, "rejected", reason=str(exc))
                return self._log(connection, document, canonical, source_id, result)
        fingerprint = known.fingerprint
        if fingerprint is None or not fingerprint.made_with(self.config.dedup):
            fingerprint = fingerprint_text(article.text, article.language, self.config.dedup)
        decision = find_duplicate(connection, fingerprint, self.config.dedup)
        if decision:
            self._add_alias(connection, decision, document, canonical, source_id, article.title)
            return self._log(connection, document, canonical, source_id, self._duplicate(document, decision))
        article_id, story_id = self._insert(
            connection, article, fingerprint, canonical, source_id, document, known.topic_scores
        )
        result = IngestResult(document.url, "stored", article_id=article_id, story_id=story_id)
        return self._log(connection, document, canonical, source_id, result)

    @staticmethod
    def _duplicate(document: RawDocument, decision: Decision) -> IngestResult:
        return IngestResult(
            document.url,
            "duplicate",
            duplicate_of=decision.article_id,
            layer=decision.layer,
            similarity=decision.similarity,
            reason=f"{decision.layer} duplicate of #{decision.article_id}",
        )

    @staticmethod
    def _add_alias(
        connection: Connection,
        decision: Decision,
        document: RawDocument,
        canonical: str,
        source_id: int,
        title: str,
    ) -> None:
        _INSERT_URL.execute(
            connection,
            dict(
                article_id=decision.article_id,
                url=document.url,
                canonical_url=canonical,
                source_id=source_id,
                layer=decision.layer,
                similarity=decision.similarity,
                title=title,
                seen_at=utcnow(),
            ),
        )

    def _insert(
        self,
        connection: Connection,
        article: CleanArticle,
        fingerprint: Fingerprint,
        canonical: str,
        source_id: int,
        document: RawDocument,
        topic_scores: Sequence[TopicScore] | None = None,
    ) -> tuple[int, int]:
        """Insert the article with its own URL, band keys and story; returns (article id, story id).

        Core inserts rather than ORM objects: this runs once per stored article and the unit of
        work's bookkeeping cost more than the SQL itself.
        """
        published = article.published
        seen_at = _to_utc_naive(document.fetched_at) or utcnow()
        story_input = StoryInput(
            title=article.title,
            terms=fingerprint.terms,
            published_at=_to_utc_naive(published.value) if published else None,
            date_precision=published.precision if published else None,
            seen_at=seen_at,
        )
        story = choose_story(connection, story_input, self.config.dedup)
        article_id = _INSERT_ARTICLE.scalar(
            connection,
            dict(
                canonical_url=canonical,
                url=document.url,
                source_id=source_id,
                title=article.title,
                title_origin=article.title_origin,
                text=article.text,
                language=article.language,
                published_at=story_input.published_at,
                date_precision=story_input.date_precision,
                date_origin=published.origin if published else None,
                authors=article.authors,
                fetched_at=seen_at,
                content_hash=fingerprint.content_hash,
                word_count=fingerprint.word_count,
                shingle_count=fingerprint.shingles.size,
                minhash=signature_bytes(fingerprint.signature),
                story_terms=fingerprint.terms,
                story_id=story.story_id,
                story_similarity=story.similarity,
                topic_scores=self._topic_scores(article, topic_scores),
            ),
        )
        _INSERT_URL.execute(
            connection,
            dict(
                article_id=article_id,
                url=document.url,
                canonical_url=canonical,
                source_id=source_id,
                layer=None,
                similarity=None,
                title=article.title,
                seen_at=seen_at,
            ),
        )
        _INSERT_BAND.executemany(
            connection,
            [{"band_key": key, "article_id": article_id} for key in set(fingerprint.band_keys)],
        )
        index_story_terms(connection, article_id, story_input)
        return article_id, story.story_id

    def _topic_scores(
        self, article: CleanArticle, precomputed: Sequence[TopicScore] | None
    ) -> dict[str, Any] | None:
        if precomputed is not None:
            return scores_record(precomputed)
        if not self.topics:
            return None
        scores = score_topics(self.topics, article.title, article.text, article.language)
        return scores_record(scores.values())

    @staticmethod
    def _log(
        connection: Connection, document: RawDocument, canonical: str, source_id: int, result: IngestResult
    ) -> IngestResult:
        _INSERT_LOG.execute(
            connection,
            dict(
                url=document.url,
                canonical_url=canonical,
                source_id=source_id,
                outcome=result.status,
                reason=result.reason,
                article_id=result.article_id or result.duplicate_of,
                at=utcnow(),
            ),
        )
        return result


class IngestBatch:
    """Documents decided one by one but committed together, for throughput.

    Each document is decided inside its own savepoint, so it is written whole or not at all and
    a failure of one does not undo the others. The transaction is committed every ``size``
    documents or ``max_seconds``, and when the batch is left without an error; results reach
    ``on_commit`` (and ``results``) only once committed, so nothing is reported stored that a
    crash could still take back. Documents of an uncommitted batch leave no trace, not even a
    fetch-log row, so a crawl that dies retries them rather than taking them for done.

    On SQLite the batch holds the write lock while its transaction is open: keep ``max_seconds``
    short where other writers share the file.
    """

    def __init__(
        self,
        ingestor: Ingestor,
        size: int,
        max_seconds: float,
        on_commit: Callable[[list[IngestResult]], None] | None,
    ) -> None:
        self._ingestor = ingestor
        self._size = max(size, 1)
        self._max_seconds = max_seconds
        self._on_commit = on_commit
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._opened_at = 0.0
        self._pending: list[IngestResult] = []
        self.results: list[IngestResult] = []
        # a one-document batch commits at once: a checkpoint thread would cost more than it saves
        self.checkpoints = BackgroundCheckpoints(ingestor.store.engine) if size > 1 else None

    def ingest(
        self,
        document: RawDocument,
        article: CleanArticle | None = None,
        topic_scores: Sequence[TopicScore] | None = None,
        fingerprint: Fingerprint | None = None,
    ) -> None:
        """Decide one document; see ``Ingestor.ingest``. ``topic_scores`` and ``fingerprint``:
        the article's scores and dedup fingerprint when the caller has them already (a crawl
        computes both in its extraction workers), so they are not computed again here; a
        fingerprint made with other dedup settings is recomputed."""
        connection = self._begin()
        known = Precomputed(article, topic_scores, fingerprint)
        self._pending.append(self._ingestor._decide_safely(connection, document, known))
        self.commit_when_due()

    def reject(self, url: str, source: str, reason: str) -> None:
        """Record a document that never reached extraction; see ``Ingestor.reject``."""
        connection = self._begin()
        self._pending.append(self._ingestor._reject(connection, url, source, reason))
        self.commit_when_due()

    def commit(self) -> list[IngestResult]:
        """Commit what is pending now; returns the results it made final."""
        done, self._pending = self._pending, []
        if self._transaction is not None:
            self._transaction.commit()
            self._transaction = None
        self.results += done
        if done and self._on_commit:
            self._on_commit(done)
        return done

    def close(self) -> None:
        """Give the connection back; whatever was not committed is rolled back and forgotten."""
        if self._transaction is not None:
            self._transaction.rollback()
            self._transaction = None
            self._ingestor._source_ids.clear()
        self._pending = []
        if self.checkpoints is not None:
            self.checkpoints.stop(self._connection)
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> IngestBatch:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            self.close()

    def _begin(self) -> Connection:
        if self._connection is None:
            self._connection = self._ingestor.store.engine.connect().execution_options(**{WRITE_OPTION: True})
            if self.checkpoints is not None:
                self.checkpoints.start(self._connection)
        if self._transaction is None:
            self._transaction = self._connection.begin()
            self._opened_at = time.monotonic()
        return self._connection

    def commit_when_due(self) -> None:
        """Commit when the batch is full or its transaction has been open ``max_seconds``.

        Called after every document, and by callers whose documents may stop coming for a while
        (a crawl waiting for slow pages) on a timer, so the write lock is not held while idle."""
        if len(self._pending) >= self._size or time.monotonic() - self._opened_at >= self._max_seconds:
            self.commit()
