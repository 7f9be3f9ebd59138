"""Relevance of an article to a topic: a score in [0, 1] and the terms that made it.

Evidence is added up in raw units:

- every entity or term of the profile found in the text adds its weight, times 2 when it occurs
  in the title, 1.5 when first in the lead (the first 60 words), 1 in the body, and up to twice
  that when it recurs (1 + 0.3 ln count): repetition confirms, it does not dominate;
- similarity to the reference documents (cosine of rarity-weighted lemma vectors) adds up to 4,
  for texts that contain at least one of the profile's entities or terms (for the others it would
  only add noise, and it is the costliest part of a score).

The sum ``E`` is mapped to ``1 - exp(-E / 6)``: a few strong signals suffice, and no amount of weak
ones reaches 1. When the profile's query does not match, the score is multiplied by 0.3, so a text
missing one side of the topic stays below any sensible threshold however many words it shares.

The explanation lists every matched entity or term, the similarity, and the query's deduction when
it did not match, with contributions that add up exactly to the (rounded) score: each piece of
evidence gets its share of the score before the query, in proportion to its raw units.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from newsmon.topics.analysis import AnalysedText, analyse
from newsmon.topics.patterns import Feature
from newsmon.topics.profile import TopicProfile

ZONE_FACTORS = {"title": 2.0, "lead": 1.5, "body": 1.0}
REPEAT_BONUS = 0.3
REPEAT_CAP = 2.0
SIMILARITY_WEIGHT = 4.0
SATURATION = 6.0
QUERY_MISS_FACTOR = 0.3
SIMILARITY_LABEL = "similarity to reference documents"
QUERY_LABEL = "query not matched"
DIGITS = 4


@dataclass(frozen=True)
class Contribution:
    """How much one matched term (or the similarity, or the query) adds to the score."""

    term: str
    contribution: float


@dataclass(frozen=True)
class TopicScore:
    """A topic's verdict on one article; the explanation's contributions add up to ``score``."""

    topic: str
    score: float
    threshold: float
    relevant: bool
    explanation: tuple[Contribution, ...]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape shared by `topics test --json`, stored scores and the digest."""
        return {
            "topic": self.topic,
            "score": self.score,
            "threshold": self.threshold,
            "relevant": self.relevant,
            "explanation": [{"term": c.term, "contribution": c.contribution} for c in self.explanation],
        }


def _feature_evidence(feature: Feature, text: AnalysedText) -> float:
    spans = feature.spans(text)
    if not spans:
        return 0.0
    first = min(start for start, _ in spans)
    repeat = min(REPEAT_CAP, 1.0 + REPEAT_BONUS * math.log(len(spans)))
    return feature.weight * ZONE_FACTORS[text.zone(first)] * repeat


def similarity(profile: TopicProfile, text: AnalysedText) -> float:
    """Cosine similarity of the text's lemma vector and the profile's reference vector."""
    if not profile.reference_norm or not text.norm:
        return 0.0
    vector = text.vector
    shared = sum(
        weight * vector[lemma] for lemma, weight in profile.reference_vector.items() if lemma in vector
    )
    return shared / (profile.reference_norm * text.norm)


def _rounded(pieces: list[tuple[str, float]], total: float) -> tuple[Contribution, ...]:
    """Round to DIGITS places, putting the rounding residue on the largest piece, so the sum holds."""
    rounded = [(term, round(value, DIGITS)) for term, value in pieces]
    residue = round(total - sum(value for _, value in rounded), DIGITS)
    if residue and rounded:
        largest = max(range(len(rounded)), key=lambda index: abs(rounded[index][1]))
        term, value = rounded[largest]
        rounded[largest] = (term, round(value + residue, DIGITS))
    return tuple(Contribution(term, value) for term, value in rounded)


def score_analysed(profile: TopicProfile, text: AnalysedText) -> TopicScore:
    """Score an analysed text (analyse once, score against many topics)."""
    if text.language and text.language not in profile.languages:
        return TopicScore(profile.name, 0.0, profile.threshold, False, ())
    evidence = [(feature.label, _feature_evidence(feature, text)) for feature in profile.features]
    evidence = [(label, value) for label, value in evidence if value > 0]
    evidence.sort(key=lambda item: -item[1])
    resemblance = similarity(profile, text) if evidence else 0.0  # nothing of the topic: no resemblance
    if resemblance > 0:
        evidence.append((SIMILARITY_LABEL, SIMILARITY_WEIGHT * resemblance))
    total = sum(value for _, value in evidence)
    before_query = 1.0 - math.exp(-total / SATURATION)
    pieces = [(label, value * before_query / total) for label, value in evidence] if total else []
    score = before_query
    if profile.query is not None and not profile.query.matches(text):
        score = before_query * QUERY_MISS_FACTOR
        if pieces:
            pieces.append((QUERY_LABEL, score - before_query))
    score = round(score, DIGITS)
    return TopicScore(
        profile.name, score, profile.threshold, score >= profile.threshold, _rounded(pieces, score)
    )


def score_article(profile: TopicProfile, title: str, text: str, language: str | None = None) -> TopicScore:
    """Score one article against one topic. ``language`` is the article's ISO code, if known."""
    return score_analysed(profile, analyse(title, text, language))


def score_topics(
    profiles: Iterable[TopicProfile], title: str, text: str, language: str | None = None
) -> dict[str, TopicScore]:
    """Score one article against several topics, analysing it once."""
    analysed = analyse(title, text, language)
    return {profile.name: score_analysed(profile, analysed) for profile in profiles}


def scores_record(scores: Iterable[TopicScore]) -> dict[str, Any]:
    """What to store in ``Article.topic_scores``: per topic its score, verdict and explanation."""
    return {
        score.topic: {key: value for key, value in score.as_dict().items() if key != "topic"}
        for score in scores
    }
