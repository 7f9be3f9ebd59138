"""Worker processes for CPU-bound work beside a process that must keep going: the crawl's
download loop, or the one thread that writes to the store.

Extraction, topic scoring and fingerprinting take milliseconds of CPU per document. Run in the
crawl's reactor thread they hold up every download in flight; run in the writing process they
add to every document's time in the store's critical path, which only one process can walk. So
they run in worker processes (``crawl.extract_workers``, ``import.workers``; 0: one per CPU,
none on one CPU). As many workers as CPUs, not one fewer: the calling process's own share
(Scrapy, dedup decisions, the store) is smaller than one worker's and the operating system fits
it in beside them.

What the work needs costs seconds of CPU and hundreds of MiB before the first document: imports,
the language model, the topic profiles and the lemmatiser's dictionaries. So ``start`` loads it
all once, in the calling process, and then forks the workers as copies of it: they start ready,
and share those pages with it until they write to them. Forking is safe only while the process
has no other thread (a lock held by another thread at the fork stays held in the copy for good),
so ``start`` must come before anything starts threads (the reactor, the store's writer). A
process that already runs threads gets ``spawn``ed workers, fresh interpreters that each load
everything themselves. A worker that dies (a document that kills lxml) breaks the pool; the next
call starts a new one, spawned for the same reason.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
Submitted = tuple[Future[T], ProcessPoolExecutor | None]
log = logging.getLogger(__name__)


def worker_count(configured: int) -> int:
    """Worker processes for a configured count (0: one per CPU, none on one CPU)."""
    cpus = os.cpu_count() or 1
    return configured or (cpus if cpus > 1 else 0)


def can_fork() -> bool:
    """Whether workers may be forked from this process now: the platform forks, and no other
    thread runs whose locks the copies could inherit held."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class WorkerPool:
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

    def ordered(
        self, function: Callable[..., T], calls: Iterable[tuple[Any, ...]], ahead: int
    ) -> Iterator[Future[T]]:
        """``function(*args)`` for each ``args`` of ``calls``, as finished futures in the order of
        ``calls``, the workers kept up to ``ahead`` calls ahead of the caller; in the caller
        itself without workers. A call whose worker died is tried once more in a new pool (the
        calls queued beside it die with it, innocent); its future then holds the
        BrokenProcessPool when it kills that worker too."""
        queued: deque[tuple[tuple[Any, ...], Submitted[T]]] = deque()
        remaining = iter(calls)
        for args in islice(remaining, max(ahead, 1)):
            queued.append((args, self._submit(function, args)))
        while queued:
            args, submitted = queued.popleft()
            if self._died(submitted):
                submitted = self._submit(function, args)
                self._died(submitted)
            yield submitted[0]
            for args in islice(remaining, 1):
                queued.append((args, self._submit(function, args)))

    def _submit(self, function: Callable[..., T], args: tuple[Any, ...]) -> Submitted[T]:
        """The future of ``function(*args)`` and the pool it runs in (None: it ran here)."""
        if self.count:
            pool = self._pool or self._start()
            try:
                return pool.submit(function, *args), pool
            except BrokenProcessPool:  # a worker died since the last call: go on in a new pool
                self._give_up(pool)
                pool = self._start()
                return pool.submit(function, *args), pool
        done: Future[T] = Future()
        try:
            done.set_result(function(*args))
        except Exception as exc:
            done.set_exception(exc)
        return done, None

    def _died(self, submitted: Submitted[Any]) -> bool:
        """Waits for the call; True when its worker died (its broken pool is given up)."""
        future, pool = submitted
        try:
            future.result()
        except BrokenProcessPool:
            if pool is not None:
                self._give_up(pool)
            return True
        except Exception:
            pass  # the caller reads it from the future
        return False

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
        log.debug("%d workers started (%s)", self.count, method)
        self._pool = pool
        return pool

    def _give_up(self, pool: ProcessPoolExecutor) -> None:
        """Forget a broken pool, unless a call that failed earlier already replaced it."""
        if self._pool is pool:
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
