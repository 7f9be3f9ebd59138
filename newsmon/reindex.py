"""Recompute the stored fingerprints of every article from its text.

Needed when the fingerprint scheme changes (a migration calls it) or when the dedup settings
that shape the keys (shingle size, permutations, bands) are changed (`newsmon db reindex`):
keys computed one way never match keys computed another, so near copies and same-event reports
would go unnoticed. The content hash is left alone: it depends on the normaliser only.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from newsmon.config import DedupSettings
from newsmon.dedup import fingerprint_text
from newsmon.fingerprints import signature_bytes
from newsmon.store.models import Article, LshBand, StoryTerm
from newsmon.stories import CLUSTERABLE_PRECISIONS, index_terms, story_term_rows

_CHUNK = 500

# the SET clause follows the keys of the parameter dicts
_UPDATE = update(Article).where(Article.id == bindparam("article_id"))


def reindex_fingerprints(connection: Connection, settings: DedupSettings) -> int:
    """Rewrite MinHash, LSH bands and story terms of all articles; returns how many."""
    done = 0
    last_id = 0
    while True:
        rows = connection.execute(
            select(Article.id, Article.text, Article.language, Article.published_at, Article.date_precision)
            .where(Article.id > last_id)
            .order_by(Article.id)
            .limit(_CHUNK)
        ).all()
        if not rows:
            return done
        ids = [row.id for row in rows]
        connection.execute(delete(LshBand).where(LshBand.article_id.in_(ids)))
        connection.execute(delete(StoryTerm).where(StoryTerm.article_id.in_(ids)))
        updates, bands, terms = [], [], []
        for row in rows:
            fingerprint = fingerprint_text(row.text, row.language, settings)
            updates.append(
                {
                    "article_id": row.id,
                    "minhash": signature_bytes(fingerprint.signature),
                    "shingle_count": fingerprint.shingles.size,
                    "word_count": fingerprint.word_count,
                    "story_terms": fingerprint.terms,
                }
            )
            bands += [{"band_key": key, "article_id": row.id} for key in set(fingerprint.band_keys)]
            moment = row.published_at if row.date_precision in CLUSTERABLE_PRECISIONS else None
            terms += story_term_rows(row.id, index_terms(fingerprint.terms), moment)
        connection.execute(_UPDATE, updates)
        if bands:
            connection.execute(insert(LshBand), bands)
        if terms:
            connection.execute(insert(StoryTerm), terms)
        done += len(rows)
        last_id = ids[-1]
