"""Topic profiles as data: ``seeds/topics.toml`` validated into frozen records.

One ``[[topic]]`` table per topic::

    [[topic]]
    name = "ki-wettlauf-usa-china"        # slug; feedback marks and stored scores hang on it
    title = "KI-Wettlauf USA–China"
    languages = ["de", "en"]              # articles in other languages score 0
    threshold = 0.5                       # score at or above which an article is relevant
    recipients = []                       # digest addresses
    references = ["000_….txt"]            # documents the profile was learned from
    query = '(KI OR Chip*) AND (China OR Peking)'   # optional gate
    search = { de = ["KI China USA"], en = ["US China AI race"] }
    terms = { exportkontrolle = 2.5, "export control" = 2.5, "chip*" = 1.0 }
    reference_vector = { deepseek = 0.3 }   # learned; the references' weighted lemmas

    [[topic.entity]]
    name = "DeepSeek"
    variants = ["Deep Seek", "Liang Wenfeng"]
    weight = 3.0

A wrong file stops the load with one line per problem naming the file, the topic and the key, as
``newsmon.config`` does for settings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from newsmon.tablefile import load_table_list
from newsmon.topics.errors import PatternError, QueryError, TopicError
from newsmon.topics.patterns import Feature, compile_feature
from newsmon.topics.query import Query, parse_query

Language = Literal["de", "en"]
NAME_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SHIPPED = Path(__file__).resolve().parents[1] / "seeds" / "topics.toml"
Weight = Annotated[float, Field(gt=0, le=10)]


class _EntitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1)
    variants: list[str] = Field(default_factory=list)
    weight: Weight


class _TopicSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(pattern=NAME_PATTERN, max_length=200)
    title: str = Field("", max_length=300)
    languages: list[Language] = Field(min_length=1)
    threshold: float = Field(gt=0, lt=1)
    recipients: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    query: str | None = None
    search: dict[Language, list[str]] = Field(default_factory=dict)
    terms: dict[str, Weight] = Field(default_factory=dict)
    entity: list[_EntitySpec] = Field(default_factory=list)
    reference_vector: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)


@dataclass(frozen=True)
class Entity:
    """A named entity and the other ways the press writes it (the name itself always counts)."""

    name: str
    variants: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class TopicProfile:
    """One topic as the scorer, the crawler's search and the digest use it."""

    name: str
    title: str
    languages: tuple[str, ...]
    threshold: float
    recipients: tuple[str, ...]
    references: tuple[str, ...]
    query: Query | None
    search: Mapping[str, tuple[str, ...]]
    terms: Mapping[str, float]
    entities: tuple[Entity, ...]
    reference_vector: Mapping[str, float]
    features: tuple[Feature, ...] = field(repr=False, compare=False)
    reference_norm: float = field(repr=False, compare=False)

    def summary(self) -> dict[str, Any]:
        """The stable JSON shape of `newsmon topics list --json`."""
        return {
            "name": self.name,
            "title": self.title,
            "languages": list(self.languages),
            "threshold": self.threshold,
            "recipients": list(self.recipients),
            "references": list(self.references),
            "query": self.query.source if self.query else None,
            "entities": len(self.entities),
            "terms": len(self.terms),
        }


def shipped_topics_file() -> Path:
    """The shipped profiles (package data of an installed newsmon, the checkout's seeds/ otherwise)."""
    return _SHIPPED


def _describe(error: Mapping[str, Any], prefix: str) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{prefix}: unknown key {key}"
    if error["type"] == "missing":
        return f"{prefix}: key {key} is missing"
    shown = "" if isinstance(error.get("input"), (dict, list)) else f" = {error['input']!r}"
    return f"{prefix}: {key}{shown}: {error['msg']}"


def _feature(label: str, weight: float, sources: list[str], prefix: str, key: str) -> Feature:
    try:
        return compile_feature(label, weight, sources)
    except PatternError as exc:
        raise TopicError(f"{prefix}: {key}: {exc}") from None


def _features(spec: _TopicSpec, prefix: str) -> tuple[Feature, ...]:
    features = [
        _feature(
            entity.name, entity.weight, [entity.name, *entity.variants], prefix, f"entity {entity.name!r}"
        )
        for entity in spec.entity
    ]
    features += [
        _feature(term, weight, [term], prefix, f"terms.{term!r}") for term, weight in spec.terms.items()
    ]
    return tuple(features)


def _profile(spec: _TopicSpec, prefix: str) -> TopicProfile:
    query = None
    if spec.query and spec.query.strip():
        try:
            query = parse_query(spec.query)
        except QueryError as exc:
            raise TopicError(f"{prefix}: query: {exc}") from None
    for address in spec.recipients:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+", address):
            raise TopicError(f"{prefix}: recipients: {address!r} is not an e-mail address")
    vector = MappingProxyType(dict(spec.reference_vector))
    return TopicProfile(
        name=spec.name,
        title=spec.title or spec.name,
        languages=tuple(spec.languages),
        threshold=spec.threshold,
        recipients=tuple(spec.recipients),
        references=tuple(spec.references),
        query=query,
        search=MappingProxyType({language: tuple(items) for language, items in spec.search.items()}),
        terms=MappingProxyType(dict(spec.terms)),
        entities=tuple(Entity(entity.name, tuple(entity.variants), entity.weight) for entity in spec.entity),
        reference_vector=vector,
        features=_features(spec, prefix),
        reference_norm=math.sqrt(sum(weight * weight for weight in vector.values())),
    )


def parse_topic(data: Any, where: str, number: int = 1) -> TopicProfile:
    """Validate and compile one ``[[topic]]`` table; TopicError names ``where``, the topic and the key."""
    name = data.get("name") if isinstance(data, dict) else None
    prefix = f"{where}: topic {name!r}" if isinstance(name, str) else f"{where}: topic #{number}"
    try:
        spec = _TopicSpec.model_validate(data)
    except ValidationError as exc:
        raise TopicError("\n".join(_describe(error, prefix) for error in exc.errors())) from None
    return _profile(spec, prefix)


def load_topics(path: Path | None = None) -> tuple[TopicProfile, ...]:
    """Read, validate and compile a topics file (default: the shipped one).

    Every wrong topic is reported, one line each, in a single TopicError.
    """
    path = path or shipped_topics_file()
    return load_table_list(path, "topic", "topics", parse_topic, TopicError)


@cache
def loaded_topics(path: Path | None = None) -> tuple[TopicProfile, ...]:
    """``load_topics(path)`` read once per process: worker processes score every document of a
    crawl or an import against the same profiles (which cannot be pickled to them)."""
    return load_topics(path)


def find_topic(profiles: tuple[TopicProfile, ...], name: str | None) -> TopicProfile:
    """The topic called ``name``; without a name, the only topic there is."""
    if name is None:
        if len(profiles) == 1:
            return profiles[0]
        raise TopicError(f"several topics ({', '.join(p.name for p in profiles)}): name one with --topic")
    for profile in profiles:
        if profile.name == name:
            return profile
    raise TopicError(f"no topic {name!r} (known: {', '.join(p.name for p in profiles)})")
