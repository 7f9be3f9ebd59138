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
