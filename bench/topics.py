"""Benchmark of topic scoring: articles per second for 1, 2, 4 and 8 topics on one core.

Texts: the German gold pages of ``../shared/data/extraction-de`` (title and body, real article
lengths), or with ``--short`` the labelled texts of ``tests/data/topics`` (short, many of them
headline-only), cycled to ``--articles`` articles. Topics: the shipped profile and copies of it
under other names (each copy does the full matching work of a distinct topic).

Lanes, run interleaved block by block (the order rotates per block) so load on the machine hits
them alike:

- ``newsmon``: ``score_topics`` (one analysis of the article, then one score per topic);
- ``regex scan``: the bare baseline, one compiled case-insensitive alternation of every entity
  variant and term of a topic (wildcards as ``\\w*``), ``findall`` over title and body per topic,
  no lemmas, no zones, no query, no explanation.

Loading the profiles and word tables happens once per process and is reported apart, as is the
first pass over the distinct texts, which fills the per-word cache ("cold"); the measured rounds
run after it. Times are CPU time of the measuring thread, best of ``--rounds`` passes, so a busy
machine does not count its queueing as work. The process is pinned to one CPU where the OS allows::

    .venv/bin/python bench/topics.py
    .venv/bin/python bench/topics.py --articles 500 --rounds 5 --short

Output: a table on stdout and ``bench/out/topics.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.topics import TopicProfile, load_labelled_set, load_topics, score_topics  # noqa: E402

GOLD = ROOT.parent / "shared" / "data" / "extraction-de" / "gold.jsonl"
LABELLED = ROOT / "tests" / "data" / "topics"
OUT = ROOT / "bench" / "out" / "topics.json"
TOPIC_COUNTS = (1, 2, 4, 8)
BLOCK = 100

Article = tuple[str, str, str | None]


def _texts(count: int, short: bool) -> list[Article]:
    """Gold pages (real article lengths), or the short labelled texts with ``short`` or without them."""
    pool: list[Article] = []
    if GOLD.is_file() and not short:
        for line in GOLD.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            pool.append((record["title"], record["body"], "de"))
    else:
        examples, _ = load_labelled_set(LABELLED, load_topics()[0].name)
        pool += [(example.title, example.text, example.language) for example in examples]
    return [pool[index % len(pool)] for index in range(count)]


def _topics(count: int) -> list[TopicProfile]:
    (shipped,) = load_topics()
    return [shipped] + [replace(shipped, name=f"{shipped.name}-copy-{index}") for index in range(1, count)]


def _regex(profile: TopicProfile) -> re.Pattern[str]:
    words = [variant for entity in profile.entities for variant in (entity.name, *entity.variants)]
    words += list(profile.terms)
    parts = sorted({re.escape(word.rstrip("*")) + (r"\w*" if word.endswith("*") else "") for word in words})
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE)


def _newsmon_lane(topics: list[TopicProfile]) -> Callable[[Article], Any]:
    return lambda article: score_topics(topics, *article)


def _regex_lane(topics: list[TopicProfile]) -> Callable[[Article], Any]:
    patterns = [_regex(topic) for topic in topics]

    def scan(article: Article) -> list[int]:
        text = f"{article[0]}\n{article[1]}"
        return [len(pattern.findall(text)) for pattern in patterns]

    return scan


def _measure(
    lanes: dict[str, Callable[[Article], Any]], articles: Sequence[Article], rounds: int
) -> dict[str, float]:
    """CPU seconds per lane for one pass over ``articles``: the best of ``rounds`` passes.

    Lanes take turns block by block in rotating order. CPU time of this thread, not wall time, and
    the best pass, not the mean: on a shared machine, waiting for a core and a neighbour's load on
    shared caches would otherwise be counted as work.
    """
    best = dict.fromkeys(lanes, float("inf"))
    names = list(lanes)
    for _ in range(rounds):
        spent = dict.fromkeys(lanes, 0.0)
        for block_number, start in enumerate(range(0, len(articles), BLOCK)):
            block = articles[start : start + BLOCK]
            order = names[block_number % len(names) :] + names[: block_number % len(names)]
            for name in order:
                lane = lanes[name]
                began = time.thread_time()
                for article in block:
                    lane(article)
                spent[name] += time.thread_time() - began
        best = {name: min(best[name], spent[name]) for name in names}
    return best


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500, help="articles per round (default 500)")
    parser.add_argument("--rounds", type=int, default=5, help="measured passes, the best counts (default 5)")
    parser.add_argument(
        "--short", action="store_true", help="the short labelled texts instead of the gold pages"
    )
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    articles = _texts(args.articles, args.short)
    words = statistics.mean(len(f"{title} {text}".split()) for title, text, _ in articles)
    began = time.perf_counter()
    one = _topics(1)
    score_topics(one, "", "", "de")
    score_topics(one, "", "", "en")  # loads the word tables
    loading = time.perf_counter() - began
    distinct = list(dict.fromkeys(articles))
    began = time.thread_time()
    for article in distinct:  # fills the per-word cache
        score_topics(one, *article)
    cold = time.thread_time() - began
    rows = []
    for count in TOPIC_COUNTS:
        topics = _topics(count)
        spent = _measure(
            {"newsmon": _newsmon_lane(topics), "regex scan": _regex_lane(topics)}, articles, args.rounds
        )
        total = len(articles)
        rows.append(
            {
                "topics": count,
                "newsmon_articles_per_s": round(total / spent["newsmon"], 1),
                "regex_articles_per_s": round(total / spent["regex scan"], 1),
                "newsmon_ms_per_article": round(1000 * spent["newsmon"] / total, 3),
                "regex_ms_per_article": round(1000 * spent["regex scan"] / total, 3),
            }
        )
    base = rows[0]["newsmon_ms_per_article"]
    regex_base = rows[0]["regex_ms_per_article"]
    print(
        f"{len(articles)} articles (mean {words:.0f} words), best of {args.rounds} rounds, CPU time, one core"
    )
    print(f"loading profiles and word tables: {loading:.1f} s (once per process)")
    print(
        f"first pass over {len(distinct)} distinct texts (word cache empty), 1 topic: {len(distinct) / cold:,.0f} articles/s"
    )
    print(
        f"{'topics':>6} | {'newsmon art/s':>13} {'ms/art':>7} {'× 1 topic':>9} | {'regex art/s':>11} {'ms/art':>7} {'× 1 topic':>9}"
    )
    for row in rows:
        print(
            f"{row['topics']:>6} | {row['newsmon_articles_per_s']:>13,.0f} {row['newsmon_ms_per_article']:>7.3f} "
            f"{row['newsmon_ms_per_article'] / base:>9.2f} | {row['regex_articles_per_s']:>11,.0f} "
            f"{row['regex_ms_per_article']:>7.3f} {row['regex_ms_per_article'] / regex_base:>9.2f}"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "articles": len(articles),
                "mean_words": round(words, 1),
                "rounds": args.rounds,
                "loading_s": round(loading, 2),
                "cold_articles_per_s": round(len(distinct) / cold, 1),
                "rows": rows,
                "python": platform.python_version(),
                "machine": platform.machine(),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
