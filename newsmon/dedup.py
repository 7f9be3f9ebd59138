"""Layered duplicate detection against the store.

Layers, cheapest first; the first that recognises the document decides, and its name and the
similarity it measured are recorded with the duplicate's URL:

- ``url``: the canonical URL is already known (checked before extraction; the crawler checks it
  before fetching);
- ``exact``: the normalised text hash is known;
- ``near``: MinHash LSH band keys (indexed table) yield candidates, which are verified on the
  actual shingle sets: Jaccard ``>= near_jaccard`` or containment of the smaller text in the
  larger ``>= near_containment`` (a truncated copy, a copy in another header and footer).

Nothing lives in memory between calls: every lookup is an index probe in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from sqlalchemy import Connection, bindparam, select

from newsmon.config import DedupSettings
from newsmon.fingerprints import (
    band_keys,
    content_hash,
    estimated_jaccard,
    exact_similarity,
    minhash_signature,
    shingle_hashes,
    signature_from_bytes,
    story_terms,
)
from newsmon.normalize import normalize_text, words
from newsmon.store.fastsql import FastStatement, InListStatement
from newsmon.store.models import Article, ArticleUrl, LshBand

Layer = Literal["url", "exact", "near"]
# Candidates whose estimated Jaccard is far below both thresholds are not worth loading.
_ESTIMATE_SLACK = 0.25
_MAX_CANDIDATES = 20


@dataclass(frozen=True)
class Fingerprint:
    """Everything the layers and the story index need to know about one text."""

    content_hash: str
    shingles: np.ndarray  # sorted unique shingle hashes
    signature: np.ndarray
    band_keys: tuple[int, ...]
    terms: dict[str, float]
    word_count: int
    settings: tuple[int, int, int]  # (shingle words, permutations, bands) it was made with

    def made_with(self, settings: DedupSettings) -> bool:
        """Whether it compares with fingerprints made under ``settings`` (a crawl's workers
        fingerprint pages with the configuration they were started with)."""
        return self.settings == _settings_key(settings)


def _settings_key(settings: DedupSettings) -> tuple[int, int, int]:
    return (settings.shingle_words, settings.num_perm, settings.bands)


@dataclass(frozen=True)
class Decision:
    """Why a document is a duplicate: of which article, by which layer, how similar."""

    article_id: int
    layer: Layer
    similarity: float


def fingerprint_text(text: str, language: str | None, settings: DedupSettings) -> Fingerprint:
    normalized = normalize_text(text)
    tokens = words(normalized)
    hashes = shingle_hashes(tokens, settings.shingle_words)
    signature = minhash_signature(hashes, settings.num_perm)
    return Fingerprint(
        content_hash=content_hash(normalized),
        shingles=hashes,
        signature=signature,
        band_keys=tuple(band_keys(signature, settings.bands)),
        terms=story_terms(tokens, language),
        word_count=len(tokens),
        settings=_settings_key(settings),
    )


# Statements are compiled once per dialect and run on the driver (see newsmon.store.fastsql).
_BY_URL = FastStatement(
    select(ArticleUrl.article_id).where(ArticleUrl.canonical_url == bindparam("canonical")).limit(1)
)
_BY_HASH = FastStatement(select(Article.id).where(Article.content_hash == bindparam("digest")))
_NEAR_CANDIDATES = InListStatement(
    "keys",
    lambda keys: select(Article.id, Article.minhash, Article.shingle_count).where(
        Article.id.in_(
            select(LshBand.article_id).where(LshBand.band_key.in_(keys)).distinct().limit(_MAX_CANDIDATES * 5)
        )
    ),
)
_TEXT = FastStatement(select(Article.text).where(Article.id == bindparam("article_id")))


def find_by_url(connection: Connection, canonical: str) -> Decision | None:
    article_id = _BY_URL.scalar(connection, {"canonical": canonical})
    return Decision(article_id, "url", 1.0) if article_id is not None else None


def _find_exact(connection: Connection, digest: str) -> Decision | None:
    article_id = _BY_HASH.scalar(connection, {"digest": digest})
    return Decision(article_id, "exact", 1.0) if article_id is not None else None


def _near_candidates(connection: Connection, fingerprint: Fingerprint) -> list[tuple[int, bytes, int]]:
    return _NEAR_CANDIDATES.all(connection, {"keys": list(fingerprint.band_keys)})  # type: ignore[return-value]


def _find_near(connection: Connection, fingerprint: Fingerprint, settings: DedupSettings) -> Decision | None:
    scored = []
    for article_id, blob, shingle_count in _near_candidates(connection, fingerprint):
        estimate = estimated_jaccard(fingerprint.signature, signature_from_bytes(blob))
        # containment can be high while Jaccard is low when sizes differ; allow for that
        sizes = sorted((fingerprint.shingles.size, shingle_count))
        size_ratio = sizes[0] / sizes[1] if sizes[1] else 0.0
        floor = min(settings.near_jaccard, settings.near_containment * size_ratio) - _ESTIMATE_SLACK
        if estimate >= floor:
            scored.append((estimate, article_id))
    best: Decision | None = None
    for _, article_id in sorted(scored, reverse=True)[:_MAX_CANDIDATES]:
        text = _TEXT.scalar(connection, {"article_id": article_id})
        other = shingle_hashes(words(normalize_text(text or "")), settings.shingle_words)
        jaccard, containment = exact_similarity(fingerprint.shingles, other)
        if jaccard >= settings.near_jaccard or containment >= settings.near_containment:
            similarity = max(jaccard, containment)
            if best is None or similarity > best.similarity:
                best = Decision(article_id, "near", round(similarity, 4))
    return best


def find_duplicate(
    connection: Connection, fingerprint: Fingerprint, settings: DedupSettings
) -> Decision | None:
    """The content layers (exact, then near) for an article whose URL is new."""
    return _find_exact(connection, fingerprint.content_hash) or _find_near(connection, fingerprint, settings)
