"""The extraction processes of one crawl, shared by its spiders.

Extraction (lxml, trafilatura, htmldate) takes tens of milliseconds of CPU per page. Run in the
reactor thread it holds up every download in flight for that long, so it runs in worker
processes (``crawl.extract_workers``; 0: one per CPU beyond the first, none on one CPU).

A worker costs seconds of CPU before its first page: a fresh interpreter imports the command
that runs the crawl, the extractor and its language model. So a crawl starts its workers once,
while it starts up itself (``start``), not once per spider (``run_crawl`` runs several one after
another). They are started with ``spawn``: forking a process that runs a reactor and thread
pools is not safe. A worker that dies (a page that kills lxml) breaks the pool; the next call
starts a new one.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")


def worker_count(configured: int) -> int:
    """Extraction processes for ``crawl.extract_workers`` (0: one per CPU beyond the first)."""
    return configured or max((os.cpu_count() or 1) - 1, 0)


class ExtractionWorkers:
    """Runs calls in ``count`` worker processes, or in the caller when ``count`` is 0."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: ProcessPoolExecutor | None = None

    def start(self, warm_up: Callable[[], object]) -> None:
        """Start the workers now, each running ``warm_up`` (module level), so that their start-up
        overlaps the crawl's own instead of holding up its first pages."""
        if self.count:
            pool = self._pool or self._start()
            for _ in range(self.count):
                pool.submit(warm_up)

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker; ``function`` must be importable by name (module level).

        Raises BrokenProcessPool when the worker died on it (the pool is then given up).
        """
        if not self.count:
            return function(*args)
        pool = self._pool or self._start()
        try:
            return await asyncio.wrap_future(pool.submit(function, *args))
        except BrokenProcessPool:
            self._give_up(pool)
            raise

    def shutdown(self) -> None:
        """Stop the workers; calls still queued are cancelled."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _start(self) -> ProcessPoolExecutor:
        self._pool = ProcessPoolExecutor(self.count, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def _give_up(self, pool: ProcessPoolExecutor) -> None:
        """Forget a broken pool, unless a call that failed earlier already replaced it."""
        if self._pool is pool:
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
