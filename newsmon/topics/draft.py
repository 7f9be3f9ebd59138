"""A learned profile written as a ``[[topic]]`` table of seeds/topics.toml, for a person to edit.

The text is the review checklist too: its comments say what learning cannot decide (which names
are variants of one entity, which belong to a single story, the other language's words, the
query, the threshold). ``load_topics`` reads the result unchanged, so a draft can be tried at once.
"""

from __future__ import annotations

import json
import re

from newsmon.topics.learn import LearnedTopic

DRAFT_THRESHOLD = 0.5
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _key(value: str) -> str:
    return value if _BARE_KEY.fullmatch(value) else _string(value)


def _strings(values: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(_string(value) for value in values) + "]"


def render_draft(topic: LearnedTopic) -> str:
    """The draft as TOML text."""
    lines = [
        f"# Draft learned by `newsmon topics learn` from {len(topic.references)} documents. Before use:",
        "# - entities: merge variants of one name into one table, drop names of a single story",
        "#   (people, places), add other spellings; terms: drop story words, add the other",
        '#   language\'s words ("export control"), "word*" matches every word starting so;',
        "# - query: name the halves of the topic that must meet, e.g.",
        "#   query = '(KI OR Chip*) AND (China OR Peking)'",
        "# - threshold: set it after `newsmon topics eval` on labelled examples.",
        "[[topic]]",
        f"name = {_string(topic.name)}",
        f"title = {_string(topic.name)}",
        f"languages = {_strings(topic.languages)}",
        f"threshold = {DRAFT_THRESHOLD}",
        "recipients = []",
        f"references = {_strings(topic.references)}",
        "search = { "
        + ", ".join(f"{language} = {_strings(items)}" for language, items in topic.search.items())
        + " }",
        "",
        "[topic.terms]",
        *(f"{_key(term)} = {weight}" for term, weight in topic.terms.items()),
        "",
        "# learned from the references, compared with every article; not meant for editing",
        "[topic.reference_vector]",
        *(f"{_key(lemma)} = {weight}" for lemma, weight in topic.reference_vector.items()),
    ]
    for name, weight in topic.entities.items():
        lines += ["", "[[topic.entity]]", f"name = {_string(name)}", "variants = []", f"weight = {weight}"]
    return "\n".join(lines) + "\n"
