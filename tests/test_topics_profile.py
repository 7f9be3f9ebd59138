"""Topic profiles as data: the shipped file, and one clear error per wrong key."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.topics import TopicError, find_topic, load_topics, search_queries, shipped_topics_file
from newsmon.topics.profile import parse_topic

MINIMAL = """
[[topic]]
name = "{name}"
languages = ["de"]
threshold = 0.5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_topic_has_what_the_digest_and_crawler_need() -> None:
    (profile,) = load_topics()
    assert profile.name == "ki-wettlauf-usa-china"
    assert profile.languages == ("de", "en")
    assert 0 < profile.threshold < 1
    assert profile.recipients == ()
    assert len(profile.references) == 5
    assert profile.query is not None
    names = {entity.name for entity in profile.entities}
    assert {
        "DeepSeek",
        "Qwen",
        "Hunyuan",
        "Zhipu",
        "Huawei Ascend",
        "SMIC",
        "Exportkontrollen",
        "Stargate",
    } <= names
    variants = {variant for entity in profile.entities for variant in entity.variants}
    assert {"Tongyi", "GLM", "Kimi", "H20", "H200", "Rubin", "export control*"} <= variants
    assert profile.reference_vector
    assert shipped_topics_file().name == "topics.toml"


def test_search_queries_come_from_the_profile() -> None:
    (profile,) = load_topics()
    assert "DeepSeek" in search_queries(profile, "de")
    assert any("China" in query for query in search_queries(profile, "en"))
    assert search_queries(profile, "fr") == ()


def test_search_queries_fall_back_to_the_heaviest_names(tmp_path: Path) -> None:
    text = MINIMAL.format(name="t") + '\n[[topic.entity]]\nname = "Zeta"\nweight = 1.0\n'
    text += '\n[[topic.entity]]\nname = "Alpha"\nweight = 2.0\n'
    (profile,) = load_topics(write(tmp_path, text))
    assert search_queries(profile, "de") == ("Alpha", "Zeta")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("bogus = 1", "topic 't': unknown key bogus"),
        ("threshold = 1.5", "topic 't': threshold = 1.5: Input should be less than 1"),
        ('languages = ["fr"]', "topic 't': languages.0 = 'fr': Input should be 'de' or 'en'"),
        ('query = "China AND (KI"', "topic 't': query: '(' is never closed at position 11"),
        ('terms = { "k*i" = 1.0 }', "topic 't': terms.'k*i': a wildcard may only end a word"),
        ("terms = { ki = 0 }", "topic 't': terms.ki = 0: Input should be greater than 0"),
        ('recipients = ["nobody"]', "topic 't': recipients: 'nobody' is not an e-mail address"),
        (
            'entity = [{ name = "X", variants = ["C*"], weight = 1.0 }]',
            "topic 't': entity 'X': a wildcard needs",
        ),
    ],
)
def test_a_wrong_key_is_one_line_naming_file_topic_and_key(tmp_path: Path, extra: str, message: str) -> None:
    keys = {"name": '"t"', "languages": '["de"]', "threshold": "0.5"}
    key, _, value = extra.partition(" = ")
    keys[key] = value
    path = write(tmp_path, "[[topic]]\n" + "".join(f"{key} = {value}\n" for key, value in keys.items()))
    with pytest.raises(TopicError) as caught:
        load_topics(path)
    assert str(caught.value).startswith(f"{path}: {message}")
    assert "\n" not in str(caught.value)


def test_every_wrong_topic_is_reported_at_once(tmp_path: Path) -> None:
    text = MINIMAL.format(name="a") + MINIMAL.format(name="a") + MINIMAL.format(name="Bad Name")
    with pytest.raises(TopicError) as caught:
        load_topics(write(tmp_path, text))
    lines = str(caught.value).splitlines()
    assert any("topic 'a': name is used by another topic" in line for line in lines)
    assert any("topic 'Bad Name': name = 'Bad Name'" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("topic = 1", "no [[topic]] tables"),
        ("[[topic]]\nname = ", "is not valid TOML"),
        ("other = 1\n" + MINIMAL.format(name="t"), "unknown key other"),
    ],
)
def test_broken_files_are_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(TopicError) as caught:
        load_topics(write(tmp_path, text))
    assert message in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TopicError, match="does not exist"):
        load_topics(tmp_path / "none.toml")


def test_find_topic_by_name_or_the_only_one(tmp_path: Path) -> None:
    one = load_topics(write(tmp_path, MINIMAL.format(name="one")))
    assert find_topic(one, None).name == "one"
    two = one + (parse_topic({"name": "two", "languages": ["en"], "threshold": 0.4}, "x"),)
    assert find_topic(two, "two").name == "two"
    with pytest.raises(TopicError, match="name one with --topic"):
        find_topic(two, None)
    with pytest.raises(TopicError, match=r"no topic 'three' \(known: one, two\)"):
        find_topic(two, "three")
