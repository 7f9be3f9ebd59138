"""Benchmark of full-text search (``newsmon.search``) and the review UI's list page.

Stores of N synthetic German-like articles (the generator of ``bench/dedup.py``; no fingerprints,
no stories: the search needs neither) are filled once and cached. On each store, for typical
queries (one word, two words, a phrase, a prefix, a word with a 30-day date filter, a word with a
topic filter) it times, interleaved query by query because the machine is noisy:

- ``search``: ``search_articles`` for the first page (20 rows, with snippets), as the CLI and the
  web call it, and ``count``: ``count_matches`` (the web's result count);
- ``list``: baseline, ``list_articles`` with the same filters but no query (the list view);
- ``like``: baseline, the substring search the CLI had before: ``title LIKE %w% OR text LIKE %w%``
  newest first, for the one- and two-word queries;
- ``web``: ``GET /articles`` and ``GET /articles?q=…`` of ``newsmon.web.create_app`` over a real
  uvicorn server on 127.0.0.1 (skipped with a message when ``newsmon.web`` is not there).

Run from the checkout::

    .venv/bin/python bench/search.py                        # 100k, SQLite
    .venv/bin/python bench/search.py --sizes 1000000        # the issue's target size
    .venv/bin/python bench/search.py --postgres             # PostgreSQL at 127.0.0.1:5432 too

SQLite stores are cached in ``bench/out/cache/search-<size>-g<generator>-r<schema>.db`` and read in
place (searching writes nothing); PostgreSQL stores are copied from them into the database
``newsmon_search_<size>`` and kept while the key in ``bench/out/cache/search-<size>-postgres.json``
matches. Results: a table on stdout and ``bench/out/search-<size>-<dialect>.json``. Nothing opens a
connection except to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/dedup.py, whatever the cwd

from dedup import (  # noqa: E402  (it also puts the checkout on sys.path)
    GENERATOR_VERSION,
    OUT,
    ROOT,
    TZ,
    generate_article,
    postgres_url,
    recreate_postgres_database,
    remove_sqlite,
    sqlite_files,
    timing_summary,
    vocabulary,
)
from sqlalchemy import create_engine, event, func, insert, or_, select, text  # noqa: E402

from newsmon.config import load_config  # noqa: E402
from newsmon.search import count_matches, search_articles  # noqa: E402
from newsmon.store.db import Store, head_revision, open_store  # noqa: E402
from newsmon.store.models import Article, Source  # noqa: E402
from newsmon.store.queries import ArticleFilter, list_articles  # noqa: E402

WORDS = (150, 300)  # per article, as dedup's fill
TOPIC = "bench"  # stored verdict "relevant" for one article in ten
PAGE = 20
CHUNK = 1000
QUERIES_PER_KIND = 12
SOURCE = insert(Source).values(id=1, name="bench", kind="feed", created_at=datetime(2024, 1, 1))
COLUMNS = (
    "canonical_url", "url", "source_id", "title", "title_origin", "text", "language", "published_at",
    "date_precision", "date_origin", "authors", "fetched_at", "content_hash", "word_count",
    "shingle_count", "minhash", "story_terms", "topic_scores",
)  # fmt: skip


# =============================================================================================
# Stores
# =============================================================================================


def _row(index: int, source_id: int) -> dict[str, Any]:
    article = generate_article(index, WORDS)
    published = article.published.astimezone(UTC).replace(tzinfo=None)
    relevant = zlib.crc32(article.url.encode()) % 10 == 0
    return {
        "canonical_url": article.url,
        "url": article.url,
        "source_id": source_id,
        "title": article.title,
        "title_origin": "bench",
        "text": article.text,
        "language": "de",
        "published_at": published,
        "date_precision": "minute",
        "date_origin": "bench",
        "authors": article.authors,
        "fetched_at": published,
        "content_hash": f"{index:032x}",
        "word_count": len(article.text.split()),
        "shingle_count": 0,
        "minhash": b"",
        "story_terms": {},
        "topic_scores": {TOPIC: {"score": 0.9 if relevant else 0.1, "relevant": relevant}},
    }


def _rows(indices: range) -> list[dict[str, Any]]:
    return [_row(index, 1) for index in indices]


def _generated(size: int, workers: int) -> Iterator[list[dict[str, Any]]]:
    vocabulary()  # before forking: the workers inherit it
    chunks = [range(start, min(start + CHUNK, size)) for start in range(0, size, CHUNK)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_rows, chunks)


def _derived(size: int, source: Path) -> Iterator[list[dict[str, Any]]]:
    """Articles recombined from a generated store: article j has the title of generated article
    j mod n and its paragraphs alternating with those of another, a date of its own and its own
    verdict. Word frequencies and document lengths stay the generator's; a 1M store takes
    minutes instead of the generator's half hour of CPU."""
    engine = create_engine(f"sqlite:///{source}")
    with engine.connect() as connection:
        texts = connection.exec_driver_sql("SELECT title, text FROM articles ORDER BY id").all()
    engine.dispose()
    count = len(texts)
    for start in range(0, size, CHUNK):
        rows = []
        for j in range(start, min(start + CHUNK, size)):
            title, own = texts[j % count]
            other = texts[(j * 7919 + 13) % count][1].split("\n\n")
            paragraphs = own.split("\n\n")
            paragraphs = [other[k] if k % 2 and k < len(other) else p for k, p in enumerate(paragraphs)]
            rng = random.Random(j)
            published = datetime(2024, 1, 1) + timedelta(minutes=rng.randrange(730 * 24 * 60))
            url = f"https://derived{j}.example/{j}.html"
            relevant = zlib.crc32(url.encode()) % 10 == 0
            rows.append(
                {
                    **dict.fromkeys(COLUMNS),
                    "canonical_url": url,
                    "url": url,
                    "source_id": 1,
                    "title": title,
                    "title_origin": "bench",
                    "text": "\n\n".join(paragraphs),
                    "language": "de",
                    "published_at": published,
                    "date_precision": "minute",
                    "authors": [],
                    "fetched_at": published,
                    "content_hash": f"d{j:031x}",
                    "word_count": 0,
                    "shingle_count": 0,
                    "minhash": b"",
                    "story_terms": {},
                    "topic_scores": {TOPIC: {"score": 0.9 if relevant else 0.1, "relevant": relevant}},
                }
            )
        yield rows


def _fill_sqlite(path: Path, size: int, batches: Iterator[list[dict[str, Any]]]) -> dict[str, Any]:
    """Migrate (so the FTS table and its triggers exist), then insert through the triggers."""
    started = time.perf_counter()
    open_store(f"sqlite:///{path}").close()
    engine = create_engine(f"sqlite:///{path}")

    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    event.listen(engine, "connect", pragmas)
    with engine.connect() as connection:
        connection.execute(SOURCE)
        for number, rows in enumerate(batches, 1):
            connection.execute(insert(Article), rows)
            if number % 50 == 0:
                connection.commit()
                elapsed = time.perf_counter() - started
                print(f"  {number * CHUNK:,}/{size:,} articles, {elapsed:.0f} s", flush=True)
        connection.commit()
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    engine.dispose()
    return {"articles": size, "seconds": round(time.perf_counter() - started, 1)}


def sqlite_store(size: int, args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    cache = OUT / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    origin = f"-from{args.derive_from}" if args.derive_from else ""
    path = cache / f"search-{size}{origin}-g{GENERATOR_VERSION}-r{head_revision()}.db"
    meta_path = path.with_suffix(".json")
    if args.refill or not meta_path.exists() or not path.exists():
        remove_sqlite(path)
        if args.derive_from:
            generated = argparse.Namespace(**{**vars(args), "derive_from": 0, "refill": False})
            source, _meta = sqlite_store(args.derive_from, generated)
            print(f"filling {path.name} with {size:,} articles derived from {source.name} …", flush=True)
            meta = _fill_sqlite(path, size, _derived(size, source))
            meta["derived_from"] = args.derive_from
        else:
            print(f"filling {path.name} with {size:,} articles ({args.workers} workers) …", flush=True)
            meta = _fill_sqlite(path, size, _generated(size, args.workers))
        meta["bytes"] = sum(p.stat().st_size for p in sqlite_files(path))
        meta_path.write_text(json.dumps(meta, indent=2))
    else:
        meta = json.loads(meta_path.read_text())
        print(f"reusing {path.name} (filled in {meta['seconds']:.0f} s)", flush=True)
    return path, meta


def postgres_store(size: int, sqlite_path: Path, refill: bool) -> tuple[str, dict[str, Any]]:
    """The SQLite store's rows copied into PostgreSQL with COPY; the GIN index built afterwards,
    as a bulk load would (the column is generated either way)."""
    database = f"newsmon_search_{size}"
    url = postgres_url(database)
    meta_path = OUT / "cache" / f"search-{size}-postgres.json"
    key = {"source": sqlite_path.name, "revision": head_revision()}
    if not refill and meta_path.exists() and json.loads(meta_path.read_text()).get("key") == key:
        meta = json.loads(meta_path.read_text())
        print(f"reusing PostgreSQL database {database} (filled in {meta['seconds']:.0f} s)", flush=True)
        return url, meta
    started = time.perf_counter()
    print(f"copying {size:,} articles into PostgreSQL database {database} …", flush=True)
    recreate_postgres_database(database)
    open_store(url).close()
    source = create_engine(f"sqlite:///{sqlite_path}")
    target = create_engine(url)
    columns = ", ".join(COLUMNS)
    with source.connect() as reading, target.connect() as writing:
        writing.exec_driver_sql("DROP INDEX ix_articles_search_vector")
        writing.execute(SOURCE)
        cursor = writing.connection.driver_connection.cursor()
        rows = reading.exec_driver_sql(f"SELECT {columns} FROM articles ORDER BY id")
        with cursor.copy(f"COPY articles ({columns}) FROM STDIN") as copy:
            for number, row in enumerate(rows, 1):
                copy.write_row(row)
                if number % 100_000 == 0:
                    print(f"  {number:,} rows, {time.perf_counter() - started:.0f} s", flush=True)
        writing.commit()
        writing.exec_driver_sql(
            "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)"
        )
        writing.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('articles', 'id'), max(id)) FROM articles"
        )
        writing.commit()
        writing.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    source.dispose()
    target.dispose()
    meta = {"key": key, "articles": size, "seconds": round(time.perf_counter() - started, 1)}
    meta_path.write_text(json.dumps(meta, indent=2))
    return url, meta


# =============================================================================================
# Queries
# =============================================================================================


def query_set(seed: int = 7) -> dict[str, list[ArticleFilter]]:
    """Per kind, QUERIES_PER_KIND filters: content words of frequency rank 300 to 30,000 (the
    more frequent ones are words like "darauf" or "ausserdem", which nobody searches news for;
    they have a kind of their own, "common word", ranks 30 to 250), phrases of two content words
    cut from generated articles, prefixes of the words (all but their last two letters, at least
    four); the date and topic filters go with the single words."""
    rng = random.Random(seed)
    words = vocabulary().content_words

    def spread(low: int, high: int) -> list[str]:
        steps = range(QUERIES_PER_KIND)
        return [words[int(low * (high / low) ** (i / (QUERIES_PER_KIND - 1)))] for i in steps]

    single = spread(300, 30_000)
    pairs = [f"{first} {second}" for first, second in zip(single, spread(107, 10_007), strict=True)]
    function_words = {word.lower() for word in vocabulary().function_words}
    phrases = []
    while len(phrases) < QUERIES_PER_KIND:  # two adjacent words that are not function words
        tokens = generate_article(rng.randrange(50_000), WORDS).text.split()
        starts = [
            i
            for i in range(len(tokens) - 1)
            if all(t.isalpha() and t.lower() not in function_words for t in tokens[i : i + 2])
        ]
        if starts:
            start = rng.choice(starts)
            phrases.append(f'"{tokens[start]} {tokens[start + 1]}"')
    prefixes = [f"{word[: max(4, len(word) - 2)]}*" for word in single]
    months = [date(2024, 1, 1) + timedelta(days=rng.randrange(700)) for _ in range(QUERIES_PER_KIND)]
    return {
        "common word": [ArticleFilter(query=w, limit=PAGE) for w in spread(30, 250)],
        "one word": [ArticleFilter(query=w, limit=PAGE) for w in single],
        "two words": [ArticleFilter(query=p, limit=PAGE) for p in pairs],
        "phrase": [ArticleFilter(query=p, limit=PAGE) for p in phrases],
        "prefix": [ArticleFilter(query=p, limit=PAGE) for p in prefixes],
        "date filter": [
            ArticleFilter(query=w, since=d, until=d + timedelta(days=30), limit=PAGE)
            for w, d in zip(single, months, strict=True)
        ],
        "topic filter": [ArticleFilter(query=w, topic=TOPIC, limit=PAGE) for w in single],
    }


def _like(store: Store, filters: ArticleFilter) -> Callable[[], Any]:
    """The substring search the CLI had before full-text search (every word, any case)."""

    def run() -> Any:
        query = select(Article.id).order_by(Article.published_at.desc(), Article.id.desc()).limit(PAGE)
        for word in (filters.query or "").split():
            pattern = f"%{word}%"
            query = query.where(or_(Article.title.ilike(pattern), Article.text.ilike(pattern)))
        with store.session() as session:
            return session.execute(query).all()

    return run


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def measure(store: Store, repeat: int, like: bool) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for kind, filters in query_set().items():
        lanes: dict[str, list[float]] = {"search": [], "count": [], "list": [], "like": []}
        matches = []
        for item in filters:
            baseline = ArticleFilter(since=item.since, until=item.until, topic=item.topic, limit=PAGE)
            for _ in range(repeat):
                with store.session() as session:
                    seconds, _rows_found = _timed(lambda: search_articles(session, item, TZ))
                    lanes["search"].append(seconds)
                    seconds, count = _timed(lambda: count_matches(session, item, TZ))
                    lanes["count"].append(seconds)
                    lanes["list"].append(_timed(lambda: list_articles(session, baseline, TZ))[0])
            matches.append(count)
            if like and kind in ("common word", "one word", "two words"):
                lanes["like"].append(_timed(_like(store, item))[0])
        results[kind] = {
            "queries": [item.query for item in filters],
            "matches": matches,
            **{lane: timing_summary(times) for lane, times in lanes.items() if times},
        }
    return results


# =============================================================================================
# The web list page
# =============================================================================================


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure_web(url: str, repeat: int) -> dict[str, Any] | str:
    try:
        from newsmon.web import create_app
    except ImportError as exc:
        return f"skipped: newsmon.web is not available ({exc})"
    import uvicorn

    home = OUT / "work" / "search-web-home"
    home.mkdir(parents=True, exist_ok=True)
    config = load_config(
        None, env={"NEWSMON_DATABASE_URL": url, "NEWSMON_HOME": str(home), "NEWSMON_CONFIG": ""}
    ).config
    port = _free_port()
    app = create_app(config)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    pages = {
        "list page": ["/articles"] + [f"/articles?offset={PAGE * i}" for i in range(1, 5)],
        "search page": [f"/articles?{urlencode({'q': item.query})}" for item in query_set()["one word"]],
        "topic list page": [f"/articles?topic={TOPIC}"],
    }
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)  # kept alive

    def get(path: str) -> bytes:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status}")
        return body

    results: dict[str, Any] = {}
    try:
        get("/articles")  # warm-up: templates, the first connection
        for name, paths in pages.items():
            times = [_timed(lambda: get(path))[0] for path in paths for _ in range(repeat)]
            results[name] = timing_summary(times)
    finally:
        connection.close()
        server.should_exit = True
        thread.join()
    return results


# =============================================================================================
# Report
# =============================================================================================


def _cell(summary: dict[str, float] | None, key: str) -> str:
    return f"{summary[key]:9.1f}" if summary else f"{'–':>9}"


def print_report(size: int, dialect: str, fill: dict[str, Any], results: dict[str, Any], web: Any) -> None:
    print(f"\n== {size:,} articles, {dialect} (filled in {fill['seconds']:.0f} s) — milliseconds per call ==")
    header = (
        f"{'kind':13} {'matches':>9} | {'search p50':>10} {'p95':>9} | {'count p50':>9} {'p95':>9} | "
        f"{'list p50':>9} {'p95':>9} | {'like p50':>9} {'p95':>9} | {'search/list p95':>15}"
    )
    print(header)
    print("-" * len(header))
    for kind, r in results.items():
        median_matches = sorted(r["matches"])[len(r["matches"]) // 2]
        ratio = r["search"]["p95_ms"] / r["list"]["p95_ms"]
        print(
            f"{kind:13} {median_matches:>9,} | "
            f"{_cell(r['search'], 'p50_ms'):>10} {_cell(r['search'], 'p95_ms')} | "
            f"{_cell(r['count'], 'p50_ms')} {_cell(r['count'], 'p95_ms')} | "
            f"{_cell(r['list'], 'p50_ms')} {_cell(r['list'], 'p95_ms')} | "
            f"{_cell(r.get('like'), 'p50_ms')} {_cell(r.get('like'), 'p95_ms')} | {ratio:14.1f}x"
        )
    worst = max(r["search"]["p95_ms"] for r in results.values())
    print(f"worst search p95 over the kinds: {worst:.1f} ms (target at 1M on SQLite: < 100 ms)")
    if isinstance(web, str):
        print(f"web: {web}")
    else:
        for name, summary in web.items():
            print(f"web {name:16} p50 {summary['p50_ms']:8.1f} ms   p95 {summary['p95_ms']:8.1f} ms")


def run(size: int, args: argparse.Namespace) -> None:
    path, fill = sqlite_store(size, args)
    lanes = [("sqlite", f"sqlite:///{path}", fill)]
    if args.postgres:
        url, pg_fill = postgres_store(size, path, args.refill)
        lanes.append(("postgresql", url, pg_fill))
    for dialect, url, meta in lanes:
        store = open_store(url)
        try:
            results = measure(store, args.repeat, like=not args.no_like)
        finally:
            store.close()
        web = measure_web(url, args.repeat) if not args.no_web else "skipped (--no-web)"
        print_report(size, dialect, meta, results, web)
        out = OUT / f"search-{size}-{dialect}.json"
        out.write_text(
            json.dumps(
                {"size": size, "dialect": dialect, "fill": meta, "results": results, "web": web,
                 "load_average": os.getloadavg(), "revision": head_revision()},
                indent=2, ensure_ascii=False,
            )
        )  # fmt: skip
        print(f"written {out.relative_to(ROOT)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--postgres", action="store_true", help="also PostgreSQL at 127.0.0.1:5432")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="generator processes of the fill")
    parser.add_argument("--refill", action="store_true", help="rebuild the cached stores")
    parser.add_argument("--no-like", action="store_true", help="skip the LIKE baseline (slow at 1M)")
    parser.add_argument("--no-web", action="store_true", help="skip the web page lane")
    parser.add_argument("--fill-only", action="store_true", help="only fill the cached stores")
    parser.add_argument(
        "--derive-from",
        type=int,
        default=0,
        metavar="N",
        help="build the stores from N generated articles, recombined (fast; see _derived)",
    )
    args = parser.parse_args(argv)
    for size in args.sizes:
        if args.fill_only:
            path, _meta = sqlite_store(size, args)
            if args.postgres:
                postgres_store(size, path, args.refill)
        else:
            run(size, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
