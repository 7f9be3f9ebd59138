"""Scores in [0, 1] with explanations that add up, for one topic or several at once."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsmon.extract import extract_article
from newsmon.importer import read_document
from newsmon.topics import TopicProfile, load_topics, score_article, score_topics, scores_record
from newsmon.topics.analysis import analyse
from newsmon.topics.profile import parse_topic
from newsmon.topics.scoring import QUERY_LABEL, SIMILARITY_LABEL

PROFILE = load_topics()[0]
VOCABULARY = [
    "DeepSeek", "Nvidia", "H20", "China", "chinesische", "KI", "AI", "Chips", "Exportkontrollen", "export",
    "controls", "USA", "Huawei", "Ascend", "Stargate", "Film", "Serie", "Wettlauf", "race", "Peking", "und",
    "der", "the", "neue", "Modelle", "Rechenzentren", "Grafikkarte", "Spiel", "Zölle", "Hochleistungsprozessoren",
]  # fmt: skip


def assert_adds_up(title: str, text: str, language: str | None = "de") -> None:
    result = score_article(PROFILE, title, text, language)
    assert 0.0 <= result.score <= 1.0
    assert sum(item.contribution for item in result.explanation) == pytest.approx(result.score, abs=1e-9)
    assert result.relevant is (result.score >= PROFILE.threshold)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(VOCABULARY), max_size=8),
    st.lists(st.sampled_from(VOCABULARY), max_size=60),
    st.sampled_from(["de", "en", None]),
)
def test_contributions_add_up_to_the_score(title: list[str], body: list[str], language: str | None) -> None:
    assert_adds_up(" ".join(title), " ".join(body), language)


def test_an_explained_hit() -> None:
    result = score_article(
        PROFILE,
        "Huawei fordert Nvidia heraus",
        "Der chinesische Konzern bringt einen KI-Chip, der trotz der US-Exportkontrollen mit dem H20 mithält.",
        "de",
    )
    assert result.relevant
    terms = [item.term for item in result.explanation]
    share = {item.term: item.contribution for item in result.explanation}
    assert share["Exportkontrollen"] == pytest.approx(
        share["Nvidia H20/H200"], abs=1e-3
    )  # same weight and zone
    assert share["Huawei"] > share["Nvidia"]  # both in the title; Huawei weighs more
    assert {"Exportkontrollen", "Nvidia H20/H200", "China", SIMILARITY_LABEL} <= set(terms)
    assert QUERY_LABEL not in terms
    contributions = [item.contribution for item in result.explanation if item.term != SIMILARITY_LABEL]
    assert all(a >= b - 1e-3 for a, b in zip(contributions, contributions[1:], strict=False))  # largest first


def test_a_text_outside_the_query_keeps_its_terms_and_shows_the_deduction() -> None:
    result = score_article(
        PROFILE,
        "Nvidia Geforce RTX 5090 im Test",
        "Die neue Grafikkarte von Nvidia nutzt KI für DLSS 4.",
        "de",
    )
    assert not result.relevant
    assert result.explanation[-1].term == QUERY_LABEL
    assert result.explanation[-1].contribution < 0
    assert any(item.term == "Nvidia" and item.contribution > 0 for item in result.explanation)
    assert_adds_up("Nvidia Geforce RTX 5090 im Test", "Die neue Grafikkarte von Nvidia nutzt KI für DLSS 4.")


def test_the_title_counts_more_than_the_body() -> None:
    filler = " ".join(["Der Bericht nennt weitere Einzelheiten."] * 20)
    in_title = score_article(PROFILE, "DeepSeek und China", filler, "de")
    in_body = score_article(PROFILE, "Ein Bericht", f"{filler} DeepSeek und China.", "de")
    assert in_title.score > in_body.score


def test_other_languages_score_zero() -> None:
    result = score_article(PROFILE, "DeepSeek défie Nvidia", "La Chine et les puces IA", "fr")
    assert (result.score, result.relevant, result.explanation) == (0.0, False, ())


def test_an_empty_text_scores_zero() -> None:
    result = score_article(PROFILE, "", "", None)
    assert (result.score, result.explanation) == (0.0, ())


def test_several_topics_are_scored_from_one_analysis() -> None:
    other = parse_topic(
        {
            "name": "stargate-serie",
            "languages": ["de"],
            "threshold": 0.3,
            "terms": {"stargate": 3.0, "serie": 2.0},
        },
        "test",
    )
    title, text = "Stargate kehrt zurück", "Amazon plant eine neue Serie aus dem Stargate-Universum."
    scores = score_topics([PROFILE, other], title, text, "de")
    assert scores["stargate-serie"].relevant
    assert not scores[PROFILE.name].relevant
    assert scores[PROFILE.name] == score_article(PROFILE, title, text, "de")
    record = scores_record(scores.values())
    assert set(record) == {PROFILE.name, "stargate-serie"}
    assert set(record["stargate-serie"]) == {"score", "threshold", "relevant", "explanation"}


def test_words_are_matched_through_lemmas_and_compound_heads_only() -> None:
    analysed = analyse("", "Hochleistungsprozessoren, Exportkontrollen und Zölle. It is what AI is.", "de")
    assert {"prozessor", "exportkontrolle", "zoll", "ai", "is"} <= set(analysed.positions)
    assert "be" not in analysed.positions  # "AI" is not read as a form of "be"


def _seed_article(path: Path) -> tuple[str, str, str | None]:
    document, _ = read_document(path, 10_000_000)
    article = extract_article(document, ZoneInfo("Europe/Berlin"), min_words=1)
    return article.title, article.text, article.language


def test_the_five_seeds_score_above_the_threshold(seeds_dir: Path) -> None:
    profile: TopicProfile = PROFILE
    for name in profile.references:
        result = score_article(profile, *_seed_article(seeds_dir / name))
        assert result.score >= profile.threshold + 0.2, (name, result.score)
        assert sum(item.contribution for item in result.explanation) == pytest.approx(result.score, abs=1e-9)
