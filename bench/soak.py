"""Soak benchmark of `newsmon run`: many accelerated crawl cycles against the fixture site.

The daemon runs as a subprocess (under the tests' loopback-only guard) with feeds crawled every
second; at chosen cycles the parent's RSS, open file descriptors, descriptors on the SQLite store
(newsmon.db and its -wal and -shm) and open database connections are sampled from /proc, with
the crawl child's peak RSS and the scheduler's own seconds per cycle (job time minus child time).
Target: parent RSS and descriptors flat within 10 % from cycle 1 to the last.

    .venv/bin/python bench/soak.py                 # cycles 1, 50, 100, 200
    .venv/bin/python bench/soak.py --cycles 20     # quick: samples at 1, 10, 20
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsmon.demosite import FixtureSite  # noqa: E402
from tests.test_daemon_harness import DaemonProcess, daemon_env, feed_sources, runs_of  # noqa: E402


def sample(pid: int) -> tuple[float, int, int, int]:
    """(RSS MiB, open descriptors, descriptors on the SQLite store, its open connections) of
    process ``pid``. Each SQLite connection holds one descriptor on the database file itself
    (besides its -wal and the shared -shm), so those count the connections."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")) / 1024
    fds = os.listdir(f"/proc/{pid}/fd")
    store = connections = 0
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        store += "newsmon.db" in target
        connections += target.endswith("newsmon.db")
    return rss, len(fds), store, connections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=200)
    args = parser.parse_args()
    marks = sorted({1, *(m for m in (50, 100, 200) if m < args.cycles), args.cycles, args.cycles // 2} - {0})
    with FixtureSite.start(slow_delay=2.5) as site, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        feed_sources(site, folder / "sources.toml")
        env = daemon_env(folder / "home", folder / "sources.toml", feeds="1s")
        daemon = DaemonProcess(env, folder / "daemon.log")
        rows = []
        try:
            for mark in marks:
                events = daemon.wait_for(
                    lambda ev, m=mark: len(runs_of(ev, "crawl:feed")) >= m, timeout=600 + 60 * mark
                )
                rss, fds, store, connections = sample(daemon.process.pid)
                run = runs_of(events, "crawl:feed")[mark - 1]
                overhead = run["seconds"] - run["child_seconds"]
                rows.append(
                    (mark, rss, fds, store, connections, run.get("peak_rss_mib"), overhead, run["child_seconds"])
                )
                print(f"cycle {mark}: sampled {rows[-1]}", file=sys.stderr, flush=True)  # kept if stopped early
            started = time.monotonic()
            code, _ = daemon.stop(timeout=60)
            stop_seconds = time.monotonic() - started
        finally:
            daemon.kill()
        runs = runs_of(daemon.events(), "crawl:feed")
    print(
        "| cycle | parent RSS MiB | open fds | store fds | DB connections | child peak RSS MiB"
        " | scheduler s | child s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for mark, rss, fds, store, connections, child, overhead, child_s in rows:
        print(
            f"| {mark} | {rss:.1f} | {fds} | {store} | {connections} | {child} | {overhead:.3f} | {child_s:.2f} |"
        )
    overheads = [run["seconds"] - run["child_seconds"] for run in runs if "child_seconds" in run]
    print(f"\noutcomes of {len(runs)} cycles: {dict(Counter(run['outcome'] for run in runs))}")
    print(
        f"scheduler overhead per cycle: mean {sum(overheads) / len(overheads):.3f} s over {len(overheads)} cycles"
    )
    growth_rss = rows[-1][1] / rows[0][1] - 1
    growth_fds = rows[-1][2] / rows[0][2] - 1
    print(
        f"parent RSS {growth_rss:+.1%}, fds {growth_fds:+.1%} from cycle 1 to {rows[-1][0]}; stop: exit {code} in {stop_seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
