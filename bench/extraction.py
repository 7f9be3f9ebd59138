"""Benchmark of HTML article extraction: newsmon against bare trafilatura on the German gold pages.

Every lane extracts title, text, date and authors from the same pages of
``../shared/data/extraction-de`` (URL from gold.jsonl), and is scored by the shared scorer
(``../shared/tools/score_extraction.py --json``): body F1, date accuracy to the day, title exact
rate. Lanes:

- ``newsmon``: ``extract_article`` (declared metadata, trafilatura body with repairs, language);
- ``trafilatura``: ``bare_extraction`` with metadata, no comments, in-document dedup;
- ``newspaper4k`` and ``news-please``: only when importable (they are not dependencies).

The lanes run interleaved page by page, in an order that rotates per page, so load on the
machine hits all of them alike; ``--rounds`` repeats the whole set for steadier timings (the
predictions of the first round are scored). Run from the checkout::

    .venv/bin/python bench/extraction.py
    .venv/bin/python bench/extraction.py --rounds 5

Output: a table on stdout and ``bench/out/extraction.json``. Nothing is fetched: every library
gets the page's HTML, never a URL to load.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
DEFAULT_DATA = SHARED / "data" / "extraction-de"
SCORER = SHARED / "tools" / "score_extraction.py"
BERLIN = ZoneInfo("Europe/Berlin")
METRICS = (
    ("body F1", "body_f1_mean"),
    ("date", "date_accuracy"),
    ("title", "title_exact_rate"),
)

Prediction = dict[str, Any]
Lane = Callable[[str, str], Prediction]


def _iso(value: date | datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def newsmon_lane() -> Lane:
    from newsmon.cli.extract import article_json
    from newsmon.errors import InputError
    from newsmon.extract import RawDocument, extract_article

    def run(html: str, url: str) -> Prediction:
        try:
            article = extract_article(RawDocument(url=url, content=html, kind="html"), BERLIN, min_words=1)
        except InputError:
            return {}
        data = article_json(Path(url), article)
        return {key: data[key] for key in ("title", "text", "date", "authors")}

    return run


def trafilatura_lane() -> Lane:
    from trafilatura import bare_extraction
    from trafilatura.deduplication import LRUCache

    def run(html: str, url: str) -> Prediction:
        result = bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, deduplicate=LRUCache(maxsize=4096)
        )
        if result is None:
            return {}
        return {"title": result.title, "text": result.text, "date": result.date, "authors": result.author}

    return run


def newspaper_lane() -> Lane:
    from newspaper import Article

    def run(html: str, url: str) -> Prediction:
        article = Article(url, fetch_images=False)
        article.download(input_html=html)  # takes the HTML given, loads nothing
        article.parse()
        return {
            "title": article.title,
            "text": article.text,
            "date": _iso(article.publish_date),
            "authors": article.authors,
        }

    return run


def newsplease_lane() -> Lane:
    from newsplease import NewsPlease

    def run(html: str, url: str) -> Prediction:
        article = NewsPlease.from_html(html, url=url, fetch_images=False)
        return {
            "title": article.title,
            "text": article.maintext,
            "date": _iso(article.date_publish),
            "authors": article.authors,
        }

    return run


# lane name -> (module that must be importable, distribution for the version, factory)
LANES: dict[str, tuple[str, str, Callable[[], Lane]]] = {
    "newsmon": ("newsmon", "newsmon", newsmon_lane),
    "trafilatura": ("trafilatura", "trafilatura", trafilatura_lane),
    "newspaper4k": ("newspaper", "newspaper4k", newspaper_lane),
    "news-please": ("newsplease", "news-please", newsplease_lane),
}


def available_lanes() -> tuple[dict[str, Lane], list[str]]:
    lanes, notes = {}, []
    for name, (module, _, factory) in LANES.items():
        if importlib.util.find_spec(module) is None:
            notes.append(f"{name}: not installed (module {module!r} not importable), lane skipped")
        else:
            lanes[name] = factory()
    return lanes, notes


def load_pages(data: Path, limit: int | None) -> list[dict[str, Any]]:
    golds = [
        json.loads(line)
        for line in (data / "gold.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for gold in golds:
        gold["html"] = gzip.decompress((data / gold["file"]).read_bytes()).decode("utf-8")
    return golds[:limit] if limit else golds


def run_lanes(
    lanes: dict[str, Lane], pages: list[dict[str, Any]], rounds: int
) -> tuple[dict[str, dict[str, Prediction]], dict[str, list[float]], dict[str, int]]:
    """Predictions of the first round, seconds per call of every round, errors per lane."""
    names = list(lanes)
    for name in names:  # warm-up: imports, models and caches load outside the timed calls
        lanes[name](pages[0]["html"], pages[0]["url"])
    predictions: dict[str, dict[str, Prediction]] = {name: {} for name in names}
    seconds: dict[str, list[float]] = {name: [] for name in names}
    errors = dict.fromkeys(names, 0)
    turn = 0
    for round_number in range(rounds):
        for page in pages:
            order = names[turn % len(names) :] + names[: turn % len(names)]
            turn += 1
            for name in order:
                start = time.perf_counter()
                try:
                    prediction = lanes[name](page["html"], page["url"])
                except Exception as exc:  # a crashing competitor counts as an empty prediction
                    prediction = {}
                    errors[name] += 1
                    print(
                        f"  {name} failed on {page['id']}: {exc.__class__.__name__}: {exc}", file=sys.stderr
                    )
                seconds[name].append(time.perf_counter() - start)
                if round_number == 0:
                    predictions[name][page["id"]] = prediction
    return predictions, seconds, errors


def score(gold: Path, predictions: dict[str, Prediction], directory: Path, name: str) -> dict[str, Any]:
    path = directory / f"{name}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for page_id, prediction in predictions.items():
            handle.write(json.dumps({"id": page_id, **prediction}, ensure_ascii=False, default=str) + "\n")
    result = subprocess.run(
        [sys.executable, str(SCORER), str(gold), str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def timing(seconds: list[float]) -> dict[str, float]:
    total = sum(seconds)
    return {
        "pages_per_second": len(seconds) / total if total else 0.0,
        "ms_median": 1000 * statistics.median(seconds),
        "ms_p90": 1000 * statistics.quantiles(seconds, n=10)[-1] if len(seconds) > 1 else 1000 * seconds[0],
        "calls": len(seconds),
    }


def print_report(results: dict[str, dict[str, Any]], notes: list[str]) -> None:
    header = (
        f"{'lane':<13}" + "".join(f"{label:>10}" for label, _ in METRICS) + f"{'pages/s':>10}{'ms med':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, result in results.items():
        cells = "".join(f"{result['scores'][key]:>10.4f}" for _, key in METRICS)
        speed = result["timing"]
        print(f"{name:<13}{cells}{speed['pages_per_second']:>10.1f}{speed['ms_median']:>9.1f}")
    if "newsmon" in results and "trafilatura" in results:
        ours, base = results["newsmon"], results["trafilatura"]
        ratios = [
            ours["scores"][key] / base["scores"][key] if base["scores"][key] else float("nan")
            for _, key in METRICS
        ]
        speed = ours["timing"]["pages_per_second"] / base["timing"]["pages_per_second"]
        print(f"{'newsmon/traf.':<13}" + "".join(f"{ratio:>10.3f}" for ratio in ratios) + f"{speed:>10.2f}")
    for note in notes:
        print(f"note: {note}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with gold.jsonl and pages/")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the pages for the timings")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="output directory")
    args = parser.parse_args(argv)
    if not (args.data / "gold.jsonl").is_file() or not SCORER.is_file():
        print(f"gold data or scorer missing: {args.data}, {SCORER}", file=sys.stderr)
        return 1
    lanes, notes = available_lanes()
    pages = load_pages(args.data, args.limit)
    load_before = os.getloadavg()
    predictions, seconds, errors = run_lanes(lanes, pages, args.rounds)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as directory:
        gold = Path(directory) / "gold.jsonl"  # the pages measured (all, or --limit of them)
        gold.write_text(
            "".join(json.dumps({k: v for k, v in page.items() if k != "html"}) + "\n" for page in pages),
            encoding="utf-8",
        )
        for name in lanes:
            results[name] = {
                "version": version(LANES[name][1]),
                "scores": score(gold, predictions[name], Path(directory), name),
                "timing": timing(seconds[name]),
                "errors": errors[name],
            }
    print(f"{len(pages)} pages x {args.rounds} rounds, lanes interleaved per page\n")
    print_report(results, notes)
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "data": str(args.data),
        "pages": len(pages),
        "rounds": args.rounds,
        "lanes": results,
        "notes": notes,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": {"before": load_before, "after": os.getloadavg()},
        },
    }
    path = args.out / "extraction.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"\nwritten: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
