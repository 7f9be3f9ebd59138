"""`newsmon topics list|learn|test|eval|mark` as a user runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from newsmon.topics import load_topics
from tests.conftest import Cli

HIT = "Huawei fordert Nvidia heraus\n\nDer chinesische Konzern bringt einen KI-Chip, der trotz der US-Exportkontrollen mithält.\n"
MISS = "Geforce RTX 5090 im Test\n\nNvidias neue Grafikkarte ist schnell, laut und teuer.\n"


def test_list_json(cli: Cli) -> None:
    (topic,) = json.loads(cli("topics", "list", "--json").output)
    assert topic["name"] == "ki-wettlauf-usa-china"
    assert topic["languages"] == ["de", "en"]
    assert set(topic) >= {"name", "title", "languages", "threshold", "recipients", "references", "query"}
    assert "ki-wettlauf" in cli("topics", "list").output


def test_test_scores_files_without_storing(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "hit.txt").write_text(HIT, encoding="utf-8")
    (tmp_path / "miss.txt").write_text(MISS, encoding="utf-8")
    result = cli("topics", "test", "ki-wettlauf-usa-china", "hit.txt", "miss.txt", "--json")
    hit, miss = json.loads(result.output)
    assert set(hit) == {"file", "topic", "score", "threshold", "relevant", "explanation"}
    assert (hit["file"], hit["relevant"], miss["relevant"]) == ("hit.txt", True, False)
    assert (
        sum(item["contribution"] for item in hit["explanation"]) == round(hit["score"], 4)
        or abs(sum(item["contribution"] for item in hit["explanation"]) - hit["score"]) < 1e-9
    )
    assert {"term", "contribution"} == set(hit["explanation"][0])
    text = cli("topics", "test", "ki-wettlauf-usa-china", "hit.txt").output
    assert "hit.txt  ki-wettlauf-usa-china" in text
    assert "Exportkontrollen" in text
    assert json.loads(cli("articles", "list", "--json").output) == []


def test_test_reports_unreadable_files_and_unknown_topics(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "hit.txt").write_text(HIT, encoding="utf-8")
    result = cli("topics", "test", "ki-wettlauf-usa-china", "hit.txt", "gone.txt", "--json", expect=1)
    assert "gone.txt: cannot read: no such file or directory" in result.output
    result = cli("topics", "test", "nope", "hit.txt", expect=1)
    assert result.output.strip() == "Error: no topic 'nope' (known: ki-wettlauf-usa-china)"


def test_a_broken_topics_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "topics.toml").write_text(
        '[[topic]]\nname = "t"\nlanguages = ["de"]\nthreshold = 0.5\nquery = "KI AND"\n', encoding="utf-8"
    )
    result = cli("topics", "list", "--topics", "topics.toml", expect=1)
    assert result.output.startswith("Error: topics.toml: topic 't': query: expected a word")
    assert "Traceback" not in result.output


def test_learn_prints_a_loadable_draft(cli: Cli, seeds_dir: Path, tmp_path: Path) -> None:
    seeds = [str(path) for path in sorted(seeds_dir.glob("*.txt"))]
    draft = cli("topics", "learn", *seeds, "--name", "draft-topic").output
    path = tmp_path / "draft.toml"
    path.write_text(draft, encoding="utf-8")
    (profile,) = load_topics(path)
    assert profile.name == "draft-topic"
    assert profile.references == tuple(Path(seed).name for seed in seeds)
    names = {entity.name for entity in profile.entities}
    assert {"DeepSeek", "Nvidia", "Qwen", "Huawei", "Zhipu", "Stargate"} <= names
    assert {"chinesisch", "chip", "exportkontrolle", "ki", "wettlauf"} <= set(profile.terms)
    assert all(0.5 <= weight <= 3.0 for weight in profile.terms.values())


def test_mark_and_eval_feedback(cli: Cli, seeds_dir: Path, tmp_path: Path) -> None:
    cli("import", str(seeds_dir))
    assert "marked relevant" in cli("topics", "mark", "1", "relevant").output
    cli("topics", "mark", "2", "relevant", "--topic", "ki-wettlauf-usa-china")
    cli("topics", "mark", "3", "relevant")
    assert "(replaced)" in cli("topics", "mark", "3", "irrelevant").output
    assert cli("topics", "mark", "999", "relevant", expect=1).output.strip() == "Error: no article #999"
    empty_set = tmp_path / "set"
    empty_set.mkdir()
    labelled, feedback = json.loads(cli("topics", "eval", "--json", "--set", str(empty_set)).output)
    assert (labelled["source"], feedback["source"]) == ("labelled", "feedback")
    assert labelled["overall"]["texts"] == 5  # the reference documents
    assert feedback["overall"] | {} == {
        "texts": 3,
        "relevant": 2,
        "tp": 2,
        "fp": 1,
        "fn": 0,
        "tn": 0,
        "precision": 0.6667,
        "recall": 1.0,
        "specificity": 0.0,
    }
    assert [mistake["id"] for mistake in feedback["mistakes"]] == ["article-3"]
    assert feedback["categories"][0]["category"] == "feedback"
    assert "ki-wettlauf-usa-china: feedback" in cli("topics", "eval", "--set", str(empty_set)).output
