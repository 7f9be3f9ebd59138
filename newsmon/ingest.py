"""The one path from a raw document to the store, shared by `newsmon import` and the crawler.

Per document, in one transaction: URL layer → extraction and gates → content layers → insert
article, its URL, LSH bands, story → fetch log. Either all rows of a document are written or
none; every document leaves a fetch-log row saying what happened and why.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from newsmon.config import Config
from newsmon.dedup import Decision, Fingerprint, find_by_url, find_duplicate, fingerprint_text
from newsmon.errors import InputError
from newsmon.extract import Article as CleanArticle
from newsmon.extract import RawDocument, extract_article
from newsmon.fingerprints import signature_bytes
from newsmon.store.db import Store
from newsmon.store.models import Article, ArticleUrl, FetchLog, LshBand, Source
from newsmon.stories import StoryInput, choose_story, index_story_terms
from newsmon.urls import canonical_url

log = logging.getLogger(__name__)

# Built once; executed with plain parameter dicts on the hot path.
_INSERT_ARTICLE = insert(Article).returning(Article.id)
_INSERT_URL = insert(ArticleUrl)
_INSERT_BAND = insert(LshBand)
_INSERT_LOG = insert(FetchLog)

Status = Literal["stored", "duplicate", "rejected"]


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


class Ingestor:
    """Stores documents through the dedup layers. One instance per run; holds no article state."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
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
        document = RawDocument(url=url, content="", kind="text", source=source)
        with self.store.engine.begin() as connection:
            result = IngestResult(url, "rejected", reason=reason)
            return self._log(
                connection, document, canonical_url(url), self._source_id(connection, source), result
            )

    def ingest(self, document: RawDocument, article: CleanArticle | None = None) -> IngestResult:
        """Decide and record the fate of one document. Raises only on bugs or a broken database.

        ``article`` skips extraction when the caller already has the clean article (benchmarks,
        a crawler pipeline that extracted in a worker process).
        """
        try:
            return self._ingest_once(document, article)
        except IntegrityError:
            # another process stored the same URL or text between our check and insert: decide again
            log.info("concurrent insert for %s, deciding again", document.url)
            self._source_ids.clear()  # a source row created in the rolled-back transaction is gone
            return self._ingest_once(document, article)

    def _ingest_once(self, document: RawDocument, article: CleanArticle | None = None) -> IngestResult:
        canonical = canonical_url(document.url)
        with self.store.engine.begin() as connection:
            source_id = self._source_id(connection, document.source)
            decision = find_by_url(connection, canonical)
            if decision:
                return self._log(
                    connection, document, canonical, source_id, self._duplicate(document, decision)
                )
            if article is None:
                try:
                    article = extract_article(document, self.config.tz, self.config.import_.min_words)
                except InputError as exc:
                    result = IngestResult(document.url, "rejected", reason=str(exc))
                    return self._log(connection, document, canonical, source_id, result)
            fingerprint = fingerprint_text(article.text, article.language, self.config.dedup)
            decision = find_duplicate(connection, fingerprint, self.config.dedup)
            if decision:
                self._add_alias(connection, decision, document, canonical, source_id, article.title)
                return self._log(
                    connection, document, canonical, source_id, self._duplicate(document, decision)
                )
            article_id, story_id = self._insert(
                connection, article, fingerprint, canonical, source_id, document
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
        connection.execute(
            _INSERT_URL,
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
        article_id = connection.execute(
            _INSERT_ARTICLE,
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
            ),
        ).scalar_one()
        connection.execute(
            _INSERT_URL,
            dict(
                article_id=article_id,
                url=document.url,
                canonical_url=canonical,
                source_id=source_id,
                title=article.title,
                seen_at=seen_at,
            ),
        )
        connection.execute(
            _INSERT_BAND,
            [{"band_key": key, "article_id": article_id} for key in set(fingerprint.band_keys)],
        )
        index_story_terms(connection, article_id, story_input)
        return article_id, story.story_id

    @staticmethod
    def _log(
        connection: Connection, document: RawDocument, canonical: str, source_id: int, result: IngestResult
    ) -> IngestResult:
        connection.execute(
            _INSERT_LOG,
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
