"""Benchmark of the weekly digest: a week of 10,000 articles in 2,000 stories, rendered.

A store is filled with synthetic rows (SQLAlchemy Core, straight into ``sources``, ``stories``,
``articles`` and ``article_urls``): the measured week holds ``--articles`` articles in
``--stories`` stories (sizes skewed like real coverage: a few big stories, many single reports),
``--copies`` duplicate aliases from other outlets, 40 sources, topic scores with explanations on
every article (90 % relevant), and the week before holds as many again (the digest reads it for
the week-over-week count and the silent sources).

Side by side in the same run, lanes interleaved round by round:

- ``digest``: ``reports.digest.make_digest`` — selection and ranking of the week, leads of the
  shown stories, source health, chart, templates, CSS inlining: everything but the archive write;
- ``baseline``: one plain query of the same week's article columns and a bare Jinja2 render of all
  of them as a list, no grouping, ranking, chart or inlining: the floor for "read the week and
  write some HTML".

Reported: median and best seconds of the warm runs, the first (cold) digest of the process
(imports matplotlib and compiles templates), where the digest's time goes (selection, chart,
render), and the peak of Python allocations of each lane (tracemalloc, in a separate run, since
tracing slows everything) plus the process's peak RSS.

    .venv/bin/python bench/digest.py
    .venv/bin/python bench/digest.py --articles 10000 --stories 2000 --rounds 7
    .venv/bin/python bench/digest.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Without ``--database-url`` the store is a fresh SQLite file in a temporary folder. A PostgreSQL
database given is filled in a schema of its own (``bench_digest``), dropped afterwards. No network
connection is opened except to that database.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jinja2 import Environment  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from newsmon.store.db import Store, open_store  # noqa: E402
from newsmon.store.models import Article, ArticleUrl, Source, Story  # noqa: E402
from reports.context import Presentation  # noqa: E402
from reports.digest import make_digest  # noqa: E402
from reports.i18n import GERMAN  # noqa: E402
from reports.selection import select_week  # noqa: E402
from reports.weeks import IsoWeek  # noqa: E402

TOPIC = "bench-topic"
WEEK = IsoWeek(2026, 3)
TZ = ZoneInfo("Europe/Berlin")
SOURCES = 40
WORDS = (
    "die der und in zu den das nicht von sie ist des sich mit dem dass er es ein ich auf so eine auch als "
    "an nach wie im für man aber aus durch wenn nur war noch werden bei hat wir was wird sein einen "
    "welche sind oder zur um haben einer mir über ihm diese einem ihr uns da zum kann doch vor dieser "
    "Regierung Unternehmen Chips China Washington Peking Exportkontrollen Rechenzentrum Modell Labor "
    "Analysten Markt Milliarden Dollar Prozent Hersteller Halbleiter Beschleuniger Lizenz Software"
).split()
OUT = ROOT / "bench" / "out"


def _sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def _text(rng: random.Random, words: int) -> str:
    sentences, count = [], 0
    while count < words:
        length = rng.randint(8, 22)
        sentences.append(_sentence(rng, length))
        count += length
    return " ".join(sentences)


def _story_sizes(rng: random.Random, articles: int, stories: int) -> list[int]:
    """``stories`` sizes adding up to ``articles``, skewed: a few big stories, many small ones."""
    weights = [1 / (rank + 1) ** 0.9 for rank in range(stories)]
    extra = articles - stories
    scale = extra / sum(weights)
    sizes = [1 + int(weight * scale) for weight in weights]
    for index in rng.sample(range(stories), articles - sum(sizes)):
        sizes[index] += 1
    return sizes


def _scores(rng: random.Random) -> dict[str, Any]:
    score = round(rng.uniform(0.3, 0.95), 4)
    terms = rng.sample(["Exportkontrollen", "Huawei", "Nvidia", "DeepSeek", "China", "Chips", "SMIC"], 5)
    return {
        TOPIC: {
            "score": score,
            "threshold": 0.5,
            "relevant": rng.random() < 0.9,
            "explanation": [{"term": term, "contribution": round(score / 5, 4)} for term in terms],
        }
    }


def fill(store: Store, articles: int, stories: int, copies: int, seed: int = 3) -> None:
    """Write both weeks: the measured one and the one before, ``articles`` each."""
    rng = random.Random(seed)
    now = datetime(2026, 1, 20)
    with store.engine.begin() as connection:
        connection.execute(
            insert(Source),
            [
                {
                    "name": f"source-{n}",
                    "kind": "feed",
                    "enabled": True,
                    "created_at": now,
                    "outlet": f"Outlet {n}",
                    "consecutive_failures": 2 if n % 13 == 0 else 0,
                    "last_error": "HTTP 503" if n % 13 == 0 else None,
                }
                for n in range(1, SOURCES + 1)
            ],
        )
        article_id = 0
        for week in (WEEK.previous(), WEEK):
            start, _ = week.bounds(TZ)
            sizes = _story_sizes(rng, articles, stories)
            story_rows, article_rows, url_rows = [], [], []
            first_story = (
                connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM stories")).scalar_one() + 1
            )
            for offset, size in enumerate(sizes):
                story_id = first_story + offset
                moment = start + timedelta(minutes=rng.randrange(7 * 24 * 60 - 600))
                story_rows.append(
                    {
                        "id": story_id,
                        "title": f"Story {story_id}",
                        "first_published": moment,
                        "last_published": moment,
                        "article_count": size,
                        "created_at": now,
                    }
                )
                for _ in range(size):
                    article_id += 1
                    published = moment + timedelta(minutes=rng.randrange(600))
                    source = rng.randint(1, SOURCES - 1)  # the last source stays silent this week
                    if week == WEEK and source == SOURCES - 1:
                        source = 1
                    url = f"https://outlet{source}.example/{week}/{article_id}.html"
                    article_rows.append(
                        {
                            "id": article_id,
                            "canonical_url": url,
                            "url": url,
                            "source_id": source,
                            "title": _sentence(rng, rng.randint(6, 12))[:-1],
                            "title_origin": "bench",
                            "text": _text(rng, rng.randint(200, 500)),
                            "language": "de",
                            "published_at": published,
                            "date_precision": "minute",
                            "authors": [],
                            "fetched_at": published + timedelta(minutes=20),
                            "content_hash": f"h{article_id}",
                            "word_count": 300,
                            "shingle_count": 300,
                            "minhash": b"\0" * 240,
                            "story_terms": {},
                            "story_id": story_id,
                            "topic_scores": _scores(rng),
                        }
                    )
                    url_rows.append(
                        {
                            "article_id": article_id,
                            "url": url,
                            "canonical_url": url,
                            "source_id": source,
                            "seen_at": published + timedelta(minutes=20),
                        }
                    )
            first_article = article_rows[0]["id"]
            for copy in range(copies):
                original = rng.randrange(first_article, article_id + 1)
                url = f"https://copy{copy}.example/{week}/{original}.html"
                url_rows.append(
                    {
                        "article_id": original,
                        "url": url,
                        "canonical_url": url,
                        "source_id": rng.randint(1, SOURCES - 2),
                        "layer": "exact",
                        "similarity": 1.0,
                        "seen_at": start + timedelta(days=3),
                    }
                )
            connection.execute(insert(Story), story_rows)
            connection.execute(insert(Article), article_rows)
            connection.execute(insert(ArticleUrl), url_rows)


BASELINE_TEMPLATE = Environment(autoescape=True).from_string(
    '<html><body><ul>{% for a in articles %}<li><a href="{{ a.url }}">{{ a.title }}</a> '
    "{{ a.published_at }}</li>{% endfor %}</ul></body></html>"
)


def baseline(store: Store) -> int:
    """The floor: read the week's article columns, render them as a list."""
    start, end = WEEK.bounds(TZ)
    with store.session() as session:
        rows = session.execute(
            select(
                Article.id,
                Article.title,
                Article.url,
                Article.source_id,
                Article.published_at,
                Article.story_id,
                Article.topic_scores,
            ).where(Article.published_at >= start, Article.published_at < end)
        ).all()
    return len(BASELINE_TEMPLATE.render(articles=rows))


HOW = Presentation(GERMAN, TZ, top_stories=10, more_articles=15, review_base_url=None)


def digest(store: Store) -> int:
    with store.session() as session:
        rendered = make_digest(session, topic=TOPIC, topic_title="Bench", week=WEEK, tz=TZ, how=HOW)
    return len(rendered.html) + len(rendered.text)


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def _peak(function: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _steps(store: Store) -> dict[str, float]:
    """Where one warm digest spends its time, measured step by step."""
    import reports.digest as module

    timings: dict[str, float] = {}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    originals = {
        name: getattr(module, name)
        for name in ("select_week", "daily_volume_png", "render", "_details", "source_problems")
    }
    for name, function in originals.items():
        setattr(module, name, timed(name, function))
    try:
        total, _ = _timed(lambda: digest(store))
    finally:
        for name, function in originals.items():
            setattr(module, name, function)
    timings["total"] = total
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--articles", type=int, default=10_000, help="articles in the week (and the week before)"
    )
    parser.add_argument("--stories", type=int, default=2_000, help="stories they form")
    parser.add_argument("--copies", type=int, default=1_500, help="duplicate aliases per week")
    parser.add_argument("--rounds", type=int, default=5, help="warm runs per lane")
    parser.add_argument("--database-url", help="an empty database to fill instead of a temporary SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        if url.startswith("postgresql"):
            admin = create_engine(url)
            with admin.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS bench_digest CASCADE"))
                connection.execute(text("CREATE SCHEMA bench_digest"))
            admin.dispose()
            url += ("&" if "?" in url else "?") + "options=-csearch_path%3Dbench_digest"
        store = open_store(url)
        try:
            started = time.perf_counter()
            fill(store, args.articles, args.stories, args.copies)
            fill_seconds = time.perf_counter() - started
            with store.session() as session:
                selection = select_week(session, TOPIC, WEEK, TZ)
            cold, _ = _timed(lambda: digest(store))
            lanes: dict[str, list[float]] = {"digest": [], "baseline": []}
            for round_number in range(args.rounds):
                order = list(lanes) if round_number % 2 == 0 else list(reversed(lanes))
                for lane in order:
                    seconds, _ = _timed(lambda lane=lane: (digest if lane == "digest" else baseline)(store))
                    lanes[lane].append(seconds)
            steps = _steps(store)
            peaks = {"digest": _peak(lambda: digest(store)), "baseline": _peak(lambda: baseline(store))}
        finally:
            store.close()
            if url.startswith("postgresql"):
                admin = create_engine(args.database_url)
                with admin.begin() as connection:
                    connection.execute(text("DROP SCHEMA IF EXISTS bench_digest CASCADE"))
                admin.dispose()

    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    dialect = url.split(":", 1)[0].split("+")[0]
    print(
        f"week of {args.articles:,} articles in {args.stories:,} stories (+{args.copies:,} copies), "
        f"{dialect}; fill {fill_seconds:.1f} s"
    )
    print(
        f"selected: {len(selection.stories):,} stories with a relevant article, "
        f"{selection.article_count:,} articles, {selection.outlet_count} outlets"
    )
    print(f"{'lane':<10} {'median s':>9} {'best s':>8} {'peak MiB (py)':>14}")
    for lane, times in lanes.items():
        print(f"{lane:<10} {statistics.median(times):>9.3f} {min(times):>8.3f} {peaks[lane] / 2**20:>14.1f}")
    ratio = statistics.median(lanes["digest"]) / statistics.median(lanes["baseline"])
    print(f"digest / baseline: {ratio:.2f}×; cold digest (first in process, imports): {cold:.3f} s")
    print(
        "digest steps (warm): "
        + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in steps.items() if name != "total")
        + f"; total {steps['total']:.3f} s"
    )
    print(f"process peak RSS: {rss_mib:.0f} MiB")
    OUT.mkdir(parents=True, exist_ok=True)
    result = {
        "articles": args.articles,
        "stories": args.stories,
        "copies": args.copies,
        "dialect": dialect,
        "selected_stories": len(selection.stories),
        "lanes": lanes,
        "cold_digest": cold,
        "steps": steps,
        "peak_python_bytes": peaks,
        "peak_rss_mib": rss_mib,
    }
    (OUT / f"digest-{args.articles}-{dialect}.json").write_text(
        json.dumps(result, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
