"""Batched ingest: shared transactions, each document whole or not at all, concurrent writers."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from newsmon.config import Config
from newsmon.extract import RawDocument
from newsmon.ingest import Ingestor, IngestResult
from newsmon.store.db import Store
from newsmon.store.models import Article, FetchLog, LshBand, StoryTerm


def _seed_documents(seeds_dir: Path) -> list[RawDocument]:
    return [
        RawDocument(path.as_uri(), path.read_text(encoding="utf-8"), "text")
        for path in sorted(seeds_dir.glob("*.txt"))
    ]


def _count(store: Store, column: object) -> int:
    with store.engine.connect() as connection:
        return connection.scalar(select(func.count(column)))  # type: ignore[arg-type]


def test_results_are_reported_in_order_once_committed(store: Store, config: Config, seeds_dir: Path) -> None:
    documents = _seed_documents(seeds_dir)
    reported: list[list[IngestResult]] = []
    with Ingestor(store, config).batch(size=2, max_seconds=600, on_commit=reported.append) as batch:
        for document in documents:
            batch.ingest(document)
            committed = sum(map(len, reported))
            assert _count(store, FetchLog.id) == committed  # a reader sees only what was reported
    assert [len(results) for results in reported] == [2, 2, 1]
    assert [result.url for results in reported for result in results] == [d.url for d in documents]
    assert _count(store, Article.id) == 5


def test_a_failing_batch_leaves_no_trace(store: Store, config: Config, seeds_dir: Path) -> None:
    documents = _seed_documents(seeds_dir)

    def crawl_that_dies() -> None:
        with Ingestor(store, config).batch(size=100) as batch:
            for document in documents[:3]:
                batch.ingest(document)
            raise RuntimeError("the crawl died")

    with pytest.raises(RuntimeError):
        crawl_that_dies()
    for column in (Article.id, FetchLog.id, LshBand.article_id, StoryTerm.article_id):
        assert _count(store, column) == 0
    # the same documents go through afterwards: nothing half-done blocks them
    assert {Ingestor(store, config).ingest(d).status for d in documents} == {"stored"}


def test_concurrent_writers_store_a_text_once(store: Store, config: Config, seeds_dir: Path) -> None:
    """Two runs ingest the same article under different URLs at the same moment: one stores it,
    the other records a duplicate of it (PostgreSQL: the loser's insert fails and is decided
    again; SQLite: the second writer waits for the first)."""
    original = _seed_documents(seeds_dir)[2]
    copy = RawDocument("https://elsewhere.example/copy", original.content, "text")
    outcome: dict[str, IngestResult] = {}
    first = Ingestor(store, config).batch(size=100)
    first.ingest(original)  # stored, not yet committed

    def second_writer() -> None:
        outcome["second"] = Ingestor(store, config).ingest(copy)

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.5)  # let the second writer reach the point where it must wait
    assert "second" not in outcome
    (stored,) = first.commit()
    first.close()
    thread.join(timeout=30)
    assert stored.status == "stored"
    second = outcome["second"]
    assert (second.status, second.layer, second.duplicate_of) == ("duplicate", "exact", stored.article_id)
    assert _count(store, Article.id) == 1


def test_a_precomputed_fingerprint_is_used_only_when_made_with_the_same_settings(
    store: Store, config: Config, seeds_dir: Path
) -> None:
    """A crawl fingerprints pages in its workers; the store trusts that work only when it was done
    under the store's own dedup settings (a worker started with another configuration is not)."""
    from newsmon.dedup import fingerprint_text
    from newsmon.extract import extract_article
    from newsmon.fingerprints import signature_from_bytes

    first, second = _seed_documents(seeds_dir)[:2]
    articles = [extract_article(d, config.tz, config.import_.min_words) for d in (first, second)]
    # a fingerprint of *another* text, made with the store's settings: the store takes it as given
    borrowed = fingerprint_text(articles[1].text, articles[1].language, config.dedup)
    other_settings = config.dedup.model_copy(update={"num_perm": 40, "bands": 20})
    foreign = fingerprint_text(articles[0].text, articles[0].language, other_settings)
    assert borrowed.made_with(config.dedup) and not foreign.made_with(config.dedup)
    with Ingestor(store, config).batch() as batch:
        batch.ingest(first, articles[0], fingerprint=borrowed)
        batch.ingest(second, articles[1], fingerprint=foreign)
    stored = {r.url: r for r in batch.results}
    assert stored[first.url].status == "stored"
    # the second text's own fingerprint was recomputed, so the borrowed copy of it is recognised
    assert stored[second.url].status == "duplicate" and stored[second.url].layer == "exact"
    with store.engine.connect() as connection:
        blob = connection.scalar(select(Article.minhash).where(Article.id == stored[first.url].article_id))
    assert (signature_from_bytes(blob) == borrowed.signature).all()
