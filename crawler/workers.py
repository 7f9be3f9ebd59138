"""The extraction processes of one crawl, shared by its spiders.

Extraction and topic scoring (``crawler.pagework``) take milliseconds of CPU per page. Run in the
reactor thread they hold up every download in flight for that long, so they run in worker
processes (``crawl.extract_workers``; 0: one per CPU, none on one CPU). As many workers as CPUs,
not one fewer: the crawl process's own share (Scrapy, dedup, the store) is smaller than one
worker's and the operating system fits it in beside them.

What the work needs costs seconds of CPU and hundreds of MiB before the first page: imports, the
language model, the topic profiles and the lemmatiser's dictionaries. So ``start`` loads it all
once, in the crawl process, and then forks the workers as copies of it: they start ready, and
share those pages with it until they write to them. Forking is safe only while the process has
no other thread (a lock held by another thread at the fork stays held in the copy for good), so
``start`` must come before anything starts threads (the reactor, the store's writer). A process
that already runs threads gets ``spawn``ed workers, fresh interpreters that each load everything
themselves. A worker that dies (a page that kills lxml) breaks the pool; the next call starts a
new one, spawned for the same reason.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


def worker_count(configured: int) -> int:
    """Extraction processes for ``crawl.extract_workers`` (0: one per CPU, none on one CPU)."""
    cpus = os.cpu_count() or 1
    return configured or (cpus if cpus > 1 else 0)


def can_fork() -> bool:
    """Whether workers may be forked from this process now: the platform forks, and no other
    thread runs whose locks the copies could inherit held."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class ExtractionWorkers:
    """Runs calls in ``count`` worker processes, or in the caller when ``count`` is 0."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: ProcessPoolExecutor | None = None
        self._warm_up: tuple[Callable[..., object], tuple[Any, ...]] | None = None

    def start(self, warm_up: Callable[..., object], *args: Any) -> None:
        """Run ``warm_up(*args)`` (module level) here, then start the workers: forked, they are
        ready at once; spawned, each runs ``warm_up`` first. Exceptions of ``warm_up`` propagate,
        so a crawl that cannot work fails before it starts."""
        warm_up(*args)
        self._warm_up = (warm_up, args)
        if self.count and self._pool is None:
            self._pool = self._start()

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
        method = "fork" if can_fork() else "spawn"
        pool = ProcessPoolExecutor(self.count, mp_context=multiprocessing.get_context(method))
        if method == "fork":
            pool.submit(int)  # a fork pool starts every worker at its first call: now, still alone
        elif self._warm_up is not None:
            warm_up, args = self._warm_up
            for _ in range(self.count):
                pool.submit(warm_up, *args)
        log.debug("%d extraction workers started (%s)", self.count, method)
        self._pool = pool
        return pool

    def _give_up(self, pool: ProcessPoolExecutor) -> None:
        """Forget a broken pool, unless a call that failed earlier already replaced it."""
        if self._pool is pool:
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
