"""The extraction processes of one crawl, shared by its spiders.

Extraction and topic scoring (``crawler.pagework``) take milliseconds of CPU per page. Run in the
reactor thread they hold up every download in flight for that long, so they run in worker
processes (``crawl.extract_workers``; 0: one per CPU, none on one CPU). As many workers as CPUs,
not one fewer: the crawl process's own share (Scrapy, dedup, the store) is smaller than one
worker's, and the operating system fits it in beside them; with one fewer, a CPU idled while the
single worker held up the crawl.

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
    """Extraction processes for ``crawl.extract_workers`` (0: one per CPU, none on one CPU)."""
    cpus = os.cpu_count() or 1
    return configured or (cpus if cpus > 1 else 0)


class ExtractionWorkers:
    """Runs calls in ``count`` worker processes, or in the caller when ``count`` is 0."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: ProcessPoolExecutor | None = None

    def start(self, warm_up: Callable[..., object], *args: Any) -> None:
        """Start the workers now, each running ``warm_up(*args)`` (module level), so that their
        start-up overlaps the crawl's own instead of holding up its first pages."""
        if self.count:
            pool = self._pool or self._start()
            for _ in range(self.count):
                pool.submit(warm_up, *args)

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
