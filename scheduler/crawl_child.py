"""Entry of a crawl child: ``python -m scheduler.crawl_child --memory-mb N`` with the targets as
JSON on stdin; prints the crawl summary (plus the child's peak RSS) as JSON on stdout.

The address-space ceiling is set before Scrapy is imported, so a crawl that grows past it fails
with MemoryError in this process instead of pushing the machine into swap. The config comes from
the same file and environment as the daemon's. Logs go to stderr in the daemon's format.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys

from scheduler.logs import setup_logging


def limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scheduler.crawl_child")
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--log-format", choices=("text", "json"), default="text")
    parser.add_argument("--config")
    args = parser.parse_args(argv)
    limit_memory(args.memory_mb)

    from crawler.run import run_crawl
    from crawler.targets import Target
    from newsmon.config import load_config

    config = load_config(args.config).config
    setup_logging(args.log_format, config.log_level)
    targets = [Target(**item) for item in json.load(sys.stdin)]
    summary = run_crawl(config, targets).as_dict()
    summary["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
