"""Acceptance: precision and recall of the shipped topic on the labelled set, per category."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsmon.extract import extract_article
from newsmon.importer import read_document
from newsmon.topics import (
    Counts,
    Evaluation,
    LabelledText,
    TopicError,
    evaluate,
    load_labelled_set,
    load_topics,
)
from tests.conftest import ROOT

SET = ROOT / "tests" / "data" / "topics"
CORPUS = ROOT.parent / "shared" / "data" / "extraction-de" / "gold.jsonl"
PROFILE = load_topics()[0]
FLOOR = 0.9


@pytest.fixture(scope="module")
def corpus() -> Path:
    if not CORPUS.is_file():
        pytest.fail(f"the German gold pages are expected in {CORPUS} (../shared beside the checkout)")
    return CORPUS


@pytest.fixture(scope="module")
def evaluation(corpus: Path, seeds_dir: Path) -> Evaluation:
    examples, skipped = load_labelled_set(SET, PROFILE.name, corpus)
    assert skipped == []
    for name in PROFILE.references:
        document, _ = read_document(seeds_dir / name, 10_000_000)
        article = extract_article(document, ZoneInfo("Europe/Berlin"), min_words=1)
        examples.append(LabelledText(name, "reference", True, article.title, article.text, article.language))
    result = evaluate(PROFILE, examples, "labelled")
    print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))  # the report, with pytest -s
    return result


def test_precision_and_recall_overall(evaluation: Evaluation) -> None:
    overall = evaluation.overall
    assert overall.precision is not None
    assert overall.precision >= FLOOR
    assert overall.recall is not None
    assert overall.recall >= FLOOR


@pytest.mark.parametrize("category", ["hit", "hard-hit", "reference"])
def test_recall_per_category_of_hits(evaluation: Evaluation, category: str) -> None:
    counts = evaluation.categories[category]
    assert (counts.recall or 0.0) >= FLOOR, counts


@pytest.mark.parametrize("category", ["near-miss", "gold-page"])
def test_rejection_per_category_of_misses(evaluation: Evaluation, category: str) -> None:
    counts = evaluation.categories[category]
    assert (counts.specificity or 0.0) >= FLOOR, counts


def test_the_five_seeds_are_all_found(evaluation: Evaluation) -> None:
    assert evaluation.categories["reference"] == Counts(tp=5)


def test_the_set_is_what_it_claims(corpus: Path) -> None:
    examples, _ = load_labelled_set(SET, PROFILE.name, corpus)
    written = [example for example in examples if example.category != "gold-page"]
    assert len(written) >= 150
    assert {example.language for example in written} == {"de", "en"}
    by_category = {
        category: [e for e in written if e.category == category] for category in ("hit", "hard-hit")
    }
    assert all(example.relevant for examples_ in by_category.values() for example in examples_)
    near = [example for example in written if example.category == "near-miss"]
    assert near
    assert not any(example.relevant for example in near)
    assert {"ai-without-china", "china-without-ai", "nvidia-gaming", "stargate-film"} <= {
        e.kind for e in near
    }
    assert sum(1 for e in by_category["hard-hit"] if not e.text) >= 5  # headline-only teasers
    gold_ids = {json.loads(line)["id"] for line in corpus.read_text(encoding="utf-8").splitlines()}
    assert {example.id for example in examples if example.category == "gold-page"} == gold_ids


def test_measures_are_none_where_undefined() -> None:
    counts = Counts(tp=3, fn=1) + Counts(tn=4)
    assert (counts.precision, counts.recall, counts.specificity) == (1.0, 0.75, 1.0)
    assert Counts(tn=2).precision is None
    assert Counts(tn=2).recall is None
    assert Counts(tp=1).as_dict()["specificity"] is None


def test_a_wrong_labelled_set_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "set.toml").write_text(
        'topic = "t"\n[[text]]\nid = "a"\ncategory = "hit"\nlabel = "maybe"\ntitle = "x"\n', encoding="utf-8"
    )
    with pytest.raises(
        TopicError, match=r"set.toml: text #1: label: Input should be 'relevant' or 'irrelevant'"
    ):
        load_labelled_set(tmp_path, "t")


def test_label_files_without_their_corpus_are_skipped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "gold.toml").write_text('topic = "t"\ncategory = "gold-page"\n[labels]\nx = "irrelevant"\n')
    examples, skipped = load_labelled_set(tmp_path, "t", tmp_path / "missing.jsonl")
    assert examples == []
    assert skipped
    assert "gold.toml: labels skipped" in skipped[0]
