"""Crawls for tests: each in a child process, under a loopback-only socket guard.

Twisted's reactor cannot be restarted, so every crawl gets a fresh process (``spawn``: nothing
inherited from the test process but ``sys.path``). pytest-socket's guard does not reach into
it, and would not help there anyway: it patches ``socket.connect`` only, while Twisted connects
with ``connect_ex`` and resolves names in C. The guard below covers all four, so a crawler bug
that tries to leave 127.0.0.1 fails (and is reported back) instead of sending traffic.
"""

from __future__ import annotations

import errno
import logging
import os
import resource
import socket
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing import get_context
from queue import Empty
from typing import Any

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
TEST_HOSTS = {"intranet.newsmon.test": ["10.1.2.3"]}  # names the test resolver knows


def fixture_resolver(host: str) -> list[str]:
    """Resolves the fixture's made-up names, never asks DNS."""
    if host in TEST_HOSTS:
        return TEST_HOSTS[host]
    raise OSError(f"{host}: unknown to the test resolver")


def install_loopback_guard() -> list[str]:
    """Allow connections and name lookups for loopback only; returns the list of refused attempts."""
    refused: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo, real_gethostbyname = socket.getaddrinfo, socket.gethostbyname

    def allowed(address: Any) -> bool:
        return not isinstance(address, tuple) or str(address[0]) in LOOPBACK

    def connect(sock: socket.socket, address: Any) -> None:
        if not allowed(address):
            refused.append(f"connect {address}")
            raise ConnectionRefusedError(errno.ECONNREFUSED, "loopback-only test guard")
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        if not allowed(address):
            refused.append(f"connect {address}")
            return errno.ECONNREFUSED
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and str(host) not in LOOPBACK:
            refused.append(f"resolve {host}")
            raise socket.gaierror(socket.EAI_NONAME, "loopback-only test guard")
        return real_getaddrinfo(host, *args, **kwargs)

    def gethostbyname(host: str) -> str:
        if host not in LOOPBACK:
            refused.append(f"resolve {host}")
            raise socket.gaierror(socket.EAI_NONAME, "loopback-only test guard")
        return real_gethostbyname(host)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    return refused


def die_in_worker(*args: Any) -> Any:
    """An extraction that kills the process it runs in, as a crash in lxml would."""
    os._exit(70)


@dataclass(frozen=True)
class CrawlOutcome:
    """What a crawl in a child process reported back."""

    summary: dict[str, Any]
    seconds: float
    refused: list[str] = field(default_factory=list)  # connections or lookups the guard stopped
    max_rss_mib: float = 0.0


def _crawl_child(env: Mapping[str, str], targets: Sequence[Any], results: Any) -> None:
    try:
        refused = install_loopback_guard()
        logging.basicConfig(
            level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
        )
        from crawler.run import run_crawl
        from newsmon.config import load_config

        config = load_config(None, env=env).config
        started = time.perf_counter()
        summary = run_crawl(config, targets, resolver=fixture_resolver)
        seconds = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results.put(CrawlOutcome(summary.as_dict(), seconds, list(refused), rss))
    except BaseException:
        results.put(traceback.format_exc())


def crawl_in_subprocess(env: Mapping[str, str], targets: Sequence[Any], timeout: float = 60) -> CrawlOutcome:
    """Run ``run_crawl`` in a fresh process; fails the test on an error or after ``timeout`` s."""
    context = get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_crawl_child, args=(dict(env), list(targets), results))
    child.start()
    try:
        outcome = results.get(timeout=timeout)
    except Empty:
        child.kill()
        raise AssertionError(f"the crawl did not end within {timeout} s") from None
    finally:
        child.join(10)
    if isinstance(outcome, str):
        raise AssertionError(f"the crawl failed:\n{outcome}")
    return outcome


if __name__ == "__main__":
    # `python -m tests.crawl_helpers ARGS…`: the newsmon command under the same guard
    install_loopback_guard()
    from newsmon.cli import main

    main()
