"""Synthetic articles for the crawl benchmark: many distinct, deterministic German texts, fast.

A seeded generator writes sentences from ``data/vocabulary.toml``: a few whole templates per theme
and mostly clauses assembled from short phrases. Phrases of at most three words mean that almost
every 4-word shingle spans two independently drawn phrases, so two articles rarely share more than
a few shingles: the benchmark must not find near duplicates that nobody planted. The same seed and
count always give the same articles, so benchmark runs are comparable.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from newsmon.demosite.content import BERLIN, Article, read_data

SYNTHETIC_NUMBERS = 100_000  # URL numbers of synthetic articles start here
_NEWEST = datetime(2026, 11, 22, 18, 0, tzinfo=BERLIN)
_PARAGRAPHS = (4, 5)
_SENTENCES_PER_PARAGRAPH = (3, 4)
_TEMPLATE_SHARE = 0.2  # the rest of the sentences are assembled clauses


@dataclass(frozen=True)
class _Theme:
    on_topic: bool
    sections: tuple[tuple[str, str], ...]  # (outlet, section)
    tags: tuple[str, ...]
    titles: tuple[str, ...]
    leads: tuple[str, ...]
    sentences: tuple[str, ...]
    clauses: _Clauses


@dataclass(frozen=True)
class _Clauses:
    subjects: tuple[str, ...]
    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    adjuncts: tuple[str, ...]

    def sentence(self, rng: random.Random) -> str:
        """One clause, in plain or inverted (adjunct-first) German word order."""
        subject, obj, adjunct = rng.choice(self.subjects), rng.choice(self.objects), rng.choice(self.adjuncts)
        verb, _, particle = rng.choice(self.verbs).partition(" ")
        if rng.random() < 0.5:
            words = (subject, verb, particle, obj, adjunct)
        else:
            words = (adjunct, verb, subject, particle, obj)
        return " ".join(word for word in words if word) + "."


class _Slots(dict[str, str]):
    """Template mapping that answers every ``{slot}`` with a fresh random entry of its list."""

    def __init__(self, rng: random.Random, vocabulary: Mapping[str, Sequence[str]]) -> None:
        super().__init__()
        self._rng = rng
        self._vocabulary = vocabulary

    def __missing__(self, key: str) -> str:
        return self._rng.choice(self._vocabulary[key])


@cache
def _vocabulary() -> tuple[dict[str, tuple[str, ...]], tuple[_Theme, ...]]:
    raw: dict[str, Any] = read_data("vocabulary.toml")
    slots = {name: tuple(values) for name, values in raw["slots"].items()}
    clauses = {
        name: _Clauses(*(tuple(pool[part]) for part in ("subjects", "verbs", "objects", "adjuncts")))
        for name, pool in raw["clauses"].items()
    }
    themes = tuple(
        _Theme(
            on_topic=theme["on_topic"],
            sections=tuple(theme["sections"].items()),
            tags=tuple(theme["tags"]),
            titles=tuple(theme["titles"]),
            leads=tuple(theme["leads"]),
            sentences=tuple(theme["sentences"]),
            clauses=clauses[theme["clauses"]],
        )
        for theme in raw["theme"]
    )
    return slots, themes


def synthetic_articles(count: int, seed: int = 4) -> tuple[Article, ...]:
    """``count`` generated articles, newest first, about 60 % of them on topic."""
    slots, themes = _vocabulary()
    rng = random.Random(seed)
    fill = _Slots(rng, slots)
    weights = [2 if theme.on_topic else 1 for theme in themes]
    published = _NEWEST
    articles = []
    for index in range(count):
        theme = rng.choices(themes, weights)[0]
        outlet, section = rng.choice(theme.sections)
        published -= timedelta(minutes=rng.randint(3, 40))
        articles.append(
            Article(
                id=f"syn-{index + 1:05d}",
                outlet=outlet,
                section=section,
                number=SYNTHETIC_NUMBERS + index,
                title=_fill(rng.choice(theme.titles), fill),
                lead=_fill(rng.choice(theme.leads), fill),
                body=_body(rng, theme, fill),
                authors=(fill["author"],),
                published=published,
                tags=theme.tags,
                on_topic=theme.on_topic,
            )
        )
    return tuple(articles)


def _body(rng: random.Random, theme: _Theme, fill: _Slots) -> tuple[str, ...]:
    templates = iter(rng.sample(theme.sentences, len(theme.sentences)))  # each at most once
    paragraphs = []
    for _ in range(rng.randint(*_PARAGRAPHS)):
        sentences = []
        for _ in range(rng.randint(*_SENTENCES_PER_PARAGRAPH)):
            template = next(templates) if rng.random() < _TEMPLATE_SHARE else theme.clauses.sentence(rng)
            sentences.append(_fill(template, fill))
        paragraphs.append(" ".join(sentences))
    return tuple(paragraphs)


def _fill(template: str, fill: _Slots) -> str:
    """The template with its slots filled, starting with a capital like any German sentence."""
    text = template.format_map(fill)
    return text[0].upper() + text[1:]
