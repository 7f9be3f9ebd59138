"""Acceptance: HTML extraction scored against the German gold set in ../shared/data/extraction-de.

Every gold page goes through ``extract_article`` with its URL from gold.jsonl; the predictions
are scored by the shared scorer (``../shared/tools/score_extraction.py --json``), the same way a
held-out set of other publishers is scored, so the thresholds test generic extraction, not rules
for these pages. Under CI=true a missing data folder fails; elsewhere it skips with the reason.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsmon.cli.extract import article_json
from newsmon.errors import InputError
from newsmon.extract import RawDocument, extract_article
from tests.conftest import IN_CI

SHARED = Path(__file__).parents[1].parent / "shared"
DATA = SHARED / "data" / "extraction-de"
SCORER = SHARED / "tools" / "score_extraction.py"
BERLIN = ZoneInfo("Europe/Berlin")
THRESHOLDS = {"body_f1_mean": 0.96, "date_accuracy": 0.97, "title_exact_rate": 0.90}


@pytest.fixture(scope="module")
def gold_file() -> Path:
    missing = [path for path in (DATA / "gold.jsonl", SCORER) if not path.is_file()]
    if missing:
        reason = (
            f"extraction gold data missing: {', '.join(map(str, missing))} (../shared beside the checkout)"
        )
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return DATA / "gold.jsonl"


def predict(gold: dict[str, object]) -> dict[str, object]:
    """One prediction line in the scorer's format; an empty one when nothing was extracted."""
    content = gzip.decompress((DATA / str(gold["file"])).read_bytes()).decode("utf-8")
    document = RawDocument(url=str(gold["url"]), content=content, kind="html")
    try:
        article = extract_article(document, BERLIN, min_words=1)
    except InputError:
        return {"id": gold["id"]}
    data = article_json(Path(str(gold["file"])), article)
    return {key: data[key] for key in ("title", "text", "date", "authors")} | {"id": gold["id"]}


@pytest.fixture(scope="module")
def scores(gold_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    golds = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    predictions = tmp_path_factory.mktemp("extraction") / "predictions.jsonl"
    with predictions.open("w", encoding="utf-8") as handle:
        for gold in golds:
            handle.write(json.dumps(predict(gold), ensure_ascii=False) + "\n")
    scored = subprocess.run(
        [sys.executable, str(SCORER), str(gold_file), str(predictions), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary: dict[str, float] = json.loads(scored.stdout)
    assert summary["predicted"] == summary["pages"], summary
    return summary


@pytest.mark.slow
@pytest.mark.parametrize("metric", sorted(THRESHOLDS))
def test_extraction_meets_threshold(scores: dict[str, float], metric: str) -> None:
    assert scores[metric] >= THRESHOLDS[metric], {key: scores[key] for key in THRESHOLDS}
