"""Precision and recall of a topic on labelled examples, per category.

Examples come from labelled sets (TOML files: ``[[text]]`` tables with ``id``, ``category``,
``label``, ``language``, ``title``, ``text``; or a ``[labels]`` table of ids of a corpus given as
JSON lines with ``id``, ``title``, ``body`` and ``language``, such as the gold pages of
``../shared/data/extraction-de``), from the reference documents and from feedback marks.

Each category is reported on its own: recall for categories of hits, the share rejected
(specificity) for categories of texts that must be rejected, precision wherever something was
accepted. A category of only irrelevant texts has no recall, one of only relevant texts no
specificity: those figures are ``None``, never a misleading 0 or 1.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from newsmon.topics.errors import TopicError
from newsmon.topics.profile import TopicProfile
from newsmon.topics.scoring import TopicScore, score_article

Label = Literal["relevant", "irrelevant"]


@dataclass(frozen=True)
class LabelledText:
    """A text with a person's verdict on whether it belongs to the topic."""

    id: str
    category: str
    relevant: bool
    title: str
    text: str
    language: str | None
    kind: str | None = None


class _TextSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(min_length=1)
    category: str = Field(min_length=1)
    kind: str | None = None
    label: Label
    language: str | None = None
    title: str
    text: str = ""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise TopicError(f"labelled set {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise TopicError(f"labelled set {path} is not valid TOML: {exc}") from None


def _texts(path: Path, entries: Any) -> list[LabelledText]:
    if not isinstance(entries, list):
        raise TopicError(f"{path}: text must be [[text]] tables")
    examples = []
    for number, entry in enumerate(entries, 1):
        try:
            spec = _TextSpec.model_validate(entry)
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(part) for part in error["loc"])
            raise TopicError(f"{path}: text #{number}: {key}: {error['msg']}") from None
        examples.append(
            LabelledText(
                spec.id,
                spec.category,
                spec.label == "relevant",
                spec.title,
                spec.text,
                spec.language,
                spec.kind,
            )
        )
    return examples


def _corpus(path: Path) -> dict[str, dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as handle:
            return {record["id"]: record for record in map(json.loads, filter(str.strip, handle))}
    except OSError as exc:
        raise TopicError(f"corpus {path} cannot be read: {exc.strerror}") from None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise TopicError(f"corpus {path} is not JSON lines with an id each: {exc}") from None


def _labelled_corpus(path: Path, data: Mapping[str, Any], corpus: Path) -> list[LabelledText]:
    records = _corpus(corpus)
    category = data.get("category", "corpus")
    examples = []
    for page_id, label in data["labels"].items():
        if label not in ("relevant", "irrelevant"):
            raise TopicError(f"{path}: labels.{page_id} = {label!r}: must be 'relevant' or 'irrelevant'")
        record = records.get(page_id)
        if record is None:
            raise TopicError(f"{path}: labels.{page_id}: no such id in {corpus}")
        language = (record.get("language") or "")[:2] or None
        examples.append(
            LabelledText(page_id, category, label == "relevant", record["title"], record["body"], language)
        )
    return examples


def load_labelled_set(
    directory: Path, topic: str, corpus: Path | None = None
) -> tuple[list[LabelledText], list[str]]:
    """Examples for ``topic`` from every ``*.toml`` in ``directory``, plus notes on what was skipped.

    Label files of a corpus are skipped (with a note) when ``corpus`` is not given or missing.
    """
    examples: list[LabelledText] = []
    skipped: list[str] = []
    for path in sorted(directory.glob("*.toml")):
        data = _read_toml(path)
        if data.get("topic") != topic:
            continue
        if "text" in data:
            examples.extend(_texts(path, data["text"]))
        if "labels" in data:
            if corpus is None or not corpus.is_file():
                skipped.append(f"{path.name}: labels skipped, corpus {corpus or '(none given)'} not found")
            else:
                examples.extend(_labelled_corpus(path, data, corpus))
    seen: set[str] = set()
    for example in examples:
        if example.id in seen:
            raise TopicError(f"{directory}: id {example.id!r} is used twice")
        seen.add(example.id)
    return examples, skipped


@dataclass(frozen=True)
class Counts:
    """Confusion counts with the measures that are defined for them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def specificity(self) -> float | None:
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else None

    def as_dict(self) -> dict[str, Any]:
        def measure(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "texts": self.tp + self.fp + self.fn + self.tn,
            "relevant": self.tp + self.fn,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": measure(self.precision),
            "recall": measure(self.recall),
            "specificity": measure(self.specificity),
        }


def _count(relevant: bool, accepted: bool) -> Counts:
    if relevant:
        return Counts(tp=1) if accepted else Counts(fn=1)
    return Counts(fp=1) if accepted else Counts(tn=1)


@dataclass(frozen=True)
class Evaluation:
    """One topic measured on one source of examples (labelled set, feedback marks)."""

    topic: str
    source: str
    categories: dict[str, Counts]
    mistakes: tuple[tuple[LabelledText, TopicScore], ...]

    @property
    def overall(self) -> Counts:
        return sum(self.categories.values(), Counts())

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `newsmon topics eval --json` (one object per topic and source)."""
        return {
            "topic": self.topic,
            "source": self.source,
            "overall": self.overall.as_dict(),
            "categories": [
                {"category": name, **counts.as_dict()} for name, counts in self.categories.items()
            ],
            "mistakes": [
                {
                    "id": example.id,
                    "category": example.category,
                    "kind": example.kind,
                    "label": "relevant" if example.relevant else "irrelevant",
                    "score": score.score,
                    "title": example.title,
                }
                for example, score in self.mistakes
            ],
        }


def evaluate(profile: TopicProfile, examples: Iterable[LabelledText], source: str) -> Evaluation:
    """Score every example and count the verdicts per category (in order of first appearance)."""
    categories: dict[str, Counts] = {}
    mistakes = []
    for example in examples:
        score = score_article(profile, example.title, example.text, example.language)
        categories[example.category] = categories.get(example.category, Counts()) + _count(
            example.relevant, score.relevant
        )
        if score.relevant != example.relevant:
            mistakes.append((example, score))
    return Evaluation(profile.name, source, categories, tuple(mistakes))
