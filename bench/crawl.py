"""Benchmark of the crawl end to end against a bare trafilatura loop over the same pages.

The fixture news site (``newsmon.demosite``) is served on 127.0.0.1 with ``--scale`` synthetic
articles (default 2,000) besides its hand-written and hostile pages. Two lanes in the same run:

- ``crawl``: ``run_crawl`` as ``newsmon demo`` runs it (the site's feeds and sitemap indexes,
  127.0.0.1 allowed, short timeouts, no delay), in a fresh child process on a fresh SQLite store:
  discover → fetch → extract (worker processes) → gates → dedup → store. The clock runs from the
  call to its return, so process start-up, robots.txt, discovery and the last commit count.
- ``trafilatura``: ``bare_extraction`` (metadata, no comments, in-document dedup) in a loop in
  one process over the HTML of the site's article pages, fetched once beforehand with urllib.
  It runs once before and once after the crawl, so a change of load during the run shows; the
  mean of the two is the yardstick.

The ratio is the crawl's article pages per second (``fetched`` in its summary) over the loop's
pages per second: 1.0 means the whole crawl keeps pace with extraction alone. CPU seconds are
reported per process beside the wall-clock times, because on a shared machine they say where
the work goes even when the wall clock says mostly how busy the neighbours were; the "ceiling"
line is the ratio the crawl's CPU time allows with every CPU busy all the time, against the
loop's CPU time per page. The site runs
in this process and takes CPU from the crawl (not from the loop, which runs while the site idles).
Peak RSS is the crawl process's and, apart, the largest of its extraction workers'. The workers
are forked from the warmed-up crawl process, so much of a worker's RSS (the lemmatiser's
dictionaries, the language model) is the same memory as the crawl process's, not more of it.

The crawl child runs under the crawl tests' loopback-only socket guard and resolves no host
names, so nothing leaves 127.0.0.1 even if the crawler had a bug::

    .venv/bin/python bench/crawl.py
    .venv/bin/python bench/crawl.py --scale 500 --workers 2

Output: a table on stdout and ``bench/out/crawl.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
import traceback
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path
from queue import Empty
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.workers import worker_count  # noqa: E402
from newsmon.cli.demo import demo_config, demo_targets, resolve_no_names  # noqa: E402
from newsmon.config import Config, load_config  # noqa: E402
from newsmon.demosite import FixtureSite, ManifestEntry  # noqa: E402

OUT = ROOT / "bench" / "out"
CRAWL_LIMIT = 900.0  # seconds before the crawl child is given up
SLOW_DELAY = 5.0  # the slow page answers after this (the crawl's timeout is shorter)


@dataclass(frozen=True)
class Lane:
    """One measured run: pages handled, wall and CPU seconds, peak RSS where known."""

    name: str
    pages: int
    seconds: float
    cpu_seconds: float
    rss_mib: float | None = None

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds


def advertised(site: FixtureSite) -> list[ManifestEntry]:
    """Manifest entries listed in a feed or sitemap the crawl reads."""
    documents = {url for urls in site.sitemaps.values() for url in urls}
    documents |= {target.url for target in demo_targets(site)}
    return [entry for entry in site.manifest if documents.intersection(entry.listed_in)]


def fetch_pages(entries: Sequence[ManifestEntry]) -> list[tuple[str, str]]:
    """(url, html) of every entry, read once from the site (which renders and caches them)."""
    pages = []
    for entry in entries:
        with urllib.request.urlopen(entry.url, timeout=10) as response:
            pages.append((entry.url, response.read().decode("utf-8")))
    return pages


def bare_trafilatura(name: str, pages: Sequence[tuple[str, str]]) -> Lane:
    """``bare_extraction`` over every page, one after another in this process."""
    from trafilatura import bare_extraction
    from trafilatura.deduplication import LRUCache

    def extract(url: str, html: str) -> Any:
        return bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, deduplicate=LRUCache(maxsize=4096)
        )

    extract(*pages[0])  # warm-up: imports and first-call caches stay outside the clock
    started, cpu = time.perf_counter(), time.process_time()
    for url, html in pages:
        extract(url, html)
    return Lane(name, len(pages), time.perf_counter() - started, time.process_time() - cpu)


def cpu_ceiling(crawled: Lane, bare: Sequence[Lane], cpus: int) -> float:
    """The ratio the crawl would reach if its CPU time were spread over all ``cpus`` without a
    moment idle, against the bare loop's CPU time per page: what the work itself allows, however
    busy the machine's other tenants keep the wall clock."""
    bare_cpu_per_page = sum(lane.cpu_seconds for lane in bare) / sum(lane.pages for lane in bare)
    return cpus * bare_cpu_per_page * crawled.pages / crawled.cpu_seconds


def _crawl_child(config: Config, targets: list[Any], results: Any) -> None:
    """Runs in the child: the guard, then one timed ``run_crawl``; reports through ``results``."""
    try:
        from tests.crawl_helpers import install_loopback_guard

        refused = install_loopback_guard()
        from crawler.run import run_crawl

        started, cpu = time.perf_counter(), time.process_time()
        summary = run_crawl(config, targets, resolver=resolve_no_names)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        results.put(
            {
                "summary": summary.as_dict(),
                "seconds": seconds,
                "refused": refused,
                "cpu_seconds": cpu,
                "worker_cpu_seconds": workers.ru_utime + workers.ru_stime,  # workers live within the crawl
                "rss_mib": own.ru_maxrss / 1024,
                "worker_rss_mib": workers.ru_maxrss / 1024,
            }
        )
    except BaseException:
        results.put({"error": traceback.format_exc()})


def crawl(config: Config, targets: list[Any]) -> dict[str, Any]:
    """One crawl in a fresh ``spawn`` process (Twisted's reactor runs once per process)."""
    context = get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_crawl_child, args=(config, targets, results))
    child.start()
    try:
        outcome: dict[str, Any] = results.get(timeout=CRAWL_LIMIT)
    except Empty:
        child.kill()
        raise SystemExit(f"the crawl did not end within {CRAWL_LIMIT:.0f} s") from None
    finally:
        child.join(30)
    if "error" in outcome:
        raise SystemExit(f"the crawl failed:\n{outcome['error']}")
    return outcome


def print_report(report: dict[str, Any]) -> None:
    summary, lanes = report["summary"], [Lane(**lane) for lane in report["lanes"]]
    print(f"site: scale {report['scale']}, {report['site_urls']} URLs, {report['pages']} plain article pages")
    print(
        f"crawl: fetched {summary['fetched']}, stored {summary['stored']} (manifest: "
        f"{report['expected']['stored']}), duplicates {summary['duplicates']}, off-topic "
        f"{summary['off_topic']} (manifest: {report['expected']['off_topic']}), failed {summary['failed']}"
    )
    print()
    header = (
        f"{'lane':<24}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'CPU s':>8}{'CPU ms/page':>13}{'RSS MiB':>9}"
    )
    print(header)
    print("-" * len(header))
    for lane in lanes:
        rss = f"{lane.rss_mib:>9.0f}" if lane.rss_mib is not None else ""
        print(
            f"{lane.name:<24}{lane.pages:>7}{lane.seconds:>9.1f}{lane.pages_per_second:>9.1f}"
            f"{lane.cpu_seconds:>8.1f}{1000 * lane.cpu_seconds / lane.pages:>13.1f}{rss}"
        )
    for part, cpu in report["crawl_cpu"].items():
        rss = f"{report['worker_rss_mib']:>9.0f}" if part == "extraction workers" else ""
        print(f"{'  ' + part:<24}{'':>25}{cpu:>8.1f}{1000 * cpu / summary['fetched']:>13.1f}{rss}")
    print(f"{'crawl / trafilatura':<24}{'':>16}{report['ratio']:>9.2f}")
    print(f"{'  ceiling on ' + str(report['machine']['cpus']) + ' CPUs':<24}{'':>16}{report['cpu_ceiling']:>9.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=2000, help="synthetic articles on the site")
    parser.add_argument("--workers", type=int, default=0, help="crawl.extract_workers (0: the default)")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as home, FixtureSite.start(args.scale, slow_delay=SLOW_DELAY) as site:
        env = {
            "NEWSMON_CONFIG": "",
            "NEWSMON_HOME": home,
            "NEWSMON_CRAWL__EXTRACT_WORKERS": str(args.workers),
        }
        config = demo_config(load_config(None, env=env).config)
        entries = advertised(site)
        pages = fetch_pages([entry for entry in entries if entry.case == "article"])
        before = bare_trafilatura("trafilatura (before)", pages)
        site_cpu = time.process_time()
        run = crawl(config, demo_targets(site))
        site_cpu = time.process_time() - site_cpu
        after = bare_trafilatura("trafilatura (after)", pages)
    summary = run["summary"]
    crawl_cpu = {
        "crawl process": run["cpu_seconds"],
        "extraction workers": run["worker_cpu_seconds"],
        "fixture site": site_cpu,
    }
    crawled = Lane(
        "crawl, end to end", summary["fetched"], run["seconds"], sum(crawl_cpu.values()), run["rss_mib"]
    )
    baseline = len(pages) / ((before.seconds + after.seconds) / 2)
    report = {
        "scale": args.scale,
        "site_urls": len(site.manifest),
        "pages": len(pages),
        "expected": {
            outcome: sum(entry.expected == outcome for entry in entries)
            for outcome in ("stored", "off_topic")
        },
        "summary": summary,
        "lanes": [asdict(lane) for lane in (before, after, crawled)],
        "crawl_cpu": crawl_cpu,
        "worker_rss_mib": run["worker_rss_mib"],
        "refused": run["refused"],
        "ratio": crawled.pages_per_second / baseline,
        "cpu_ceiling": cpu_ceiling(crawled, (before, after), os.cpu_count() or 1),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "extract_workers": worker_count(config.crawl.extract_workers),
            "load_average": {"before": load_before, "after": os.getloadavg()},
        },
    }
    print_report(report)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "crawl.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"\nwritten: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
