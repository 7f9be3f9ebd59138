"""Learn a topic profile from example documents, as a draft for a person to review.

- **Terms** are lemmas (simplemma) weighted by how many of the documents use them and how unusual
  they are in the language (wordfreq): words every text has weigh nothing, words the examples share
  and newspapers rarely use weigh most. A term found in only one document is that document's
  story, not the topic's, and is left out (unless only one or two documents are given).
- **Entities** are names kept as phrases: runs of up to three words that look like names (inner
  capitals "DeepSeek", letters with digits "H200", or capitalised words neither the German nor the
  English dictionary knows: "Nvidia", "Zhipu"). A genitive "Nvidias" counts for "Nvidia".
- **The reference vector** is the mean of the documents' rarity-weighted lemma vectors; the scorer
  compares articles with it.

Weights are scaled to 0.5–3 (terms) and 1–3 (entities). No query is proposed: which halves of the
topic must meet is a judgement the reviewer writes down (see the README's query syntax).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import simplemma
from wordfreq import zipf_frequency

from newsmon.topics.analysis import analyse, analyse_word, compound_head, lemma_languages, tokens

MAX_TERMS = 40
MAX_ENTITIES = 30
REFERENCE_TERMS = 150
MIN_TERM_RARITY = 1.5  # zipf 5 and above (der, und, nicht, Jahr): not a topic word
MIN_TERM_CHARS = 2  # KI
MIN_COMPOUND_HEAD = 5  # "Technologiegiganten" is a German compound, "Stargate" is a name
MAX_ACRONYM = 3
COMMON_ZIPF = 4.0  # words at least this frequent in German or English news are no names
MAX_NAME_WORDS = 3
SEARCH_QUERIES = 6
_SENTENCE = re.compile(r"[.!?:;\n]+")


@dataclass(frozen=True)
class LearnDocument:
    """An example document: a name to cite it by, and its clean title and text."""

    name: str
    title: str
    text: str
    language: str | None


@dataclass(frozen=True)
class LearnedTopic:
    """A draft profile: what `topics learn` prints for review."""

    name: str
    languages: tuple[str, ...]
    references: tuple[str, ...]
    terms: dict[str, float]
    entities: dict[str, float]
    reference_vector: dict[str, float]
    search: dict[str, list[str]]


def _looks_like_name(word: str, language: str) -> bool:
    """Letters with digits, or a word the newspapers rarely print that is capitalised ("Nvidia") or
    has inner capitals ("DeepSeek") and is no word of the document's language. Common words
    ("Google", "Trump") and short acronyms ("USA", "KI") are left to the terms."""
    if word.isdigit():
        return False
    if any(char.isdigit() for char in word):
        return True
    if word.isupper() and len(word) <= MAX_ACRONYM:
        return False  # KI, USA, CEO, LLM: too ambiguous to stand as names
    if max(zipf_frequency(word.casefold(), "de"), zipf_frequency(word.casefold(), "en")) >= COMMON_ZIPF:
        return False
    if word.endswith("s") and len(word) > 3 and _looks_like_name(word[:-1], language):
        return True  # genitive: "Nvidias"
    if any(char.isupper() for char in word[1:]):
        return True
    return (
        word[0].isupper()
        and not simplemma.is_known(word, lang=language)
        and not (language == "de" and len(compound_head(word.casefold()) or "") >= MIN_COMPOUND_HEAD)
    )


def _name_runs(text: str, language: str) -> Iterator[str]:
    """Every name-like run of up to MAX_NAME_WORDS words within a sentence, and each word of it."""
    for sentence in _SENTENCE.split(text):
        run: list[str] = []
        for word in [*tokens(sentence), ""]:
            if word and _looks_like_name(word, language):
                run.append(word)
                continue
            if 1 < len(run) <= MAX_NAME_WORDS:
                yield " ".join(run)
            yield from run
            run = []


def _language(document: LearnDocument) -> str:
    return lemma_languages(document.language)[0]


def _counted(per_document: list[Counter[str]]) -> tuple[Counter[str], Counter[str]]:
    """Occurrences and document counts over all documents, "Nvidias" counted as "Nvidia" and
    "chinas" as "china" wherever the form without the genitive s occurs too."""
    forms = set().union(*per_document)
    base = {form: form[:-1] for form in forms if form.endswith("s") and form[:-1] in forms}
    occurrences: Counter[str] = Counter()
    documents_with: Counter[str] = Counter()
    for found in per_document:
        merged: Counter[str] = Counter()
        for form, count in found.items():
            merged[base.get(form, form)] += count
        occurrences.update(merged)
        documents_with.update(merged.keys())
    return occurrences, documents_with


def _min_documents(count: int) -> int:
    return 2 if count >= 3 else 1


def _scaled(scores: dict[str, float], low: float, high: float) -> dict[str, float]:
    if not scores:
        return {}
    top, bottom = max(scores.values()), min(scores.values())
    spread = (top - bottom) or 1.0
    return {key: round(low + (high - low) * (value - bottom) / spread, 1) for key, value in scores.items()}


def _entities(documents: Sequence[LearnDocument]) -> dict[str, float]:
    occurrences, documents_with = _counted(
        [
            Counter(_name_runs(f"{document.title}\n{document.text}", _language(document)))
            for document in documents
        ]
    )
    for name in [name for name in occurrences if " " in name]:  # a word only seen inside a longer name
        for word in name.split():
            if occurrences.get(word) == occurrences[name]:
                del occurrences[word]
    wanted = _min_documents(len(documents))
    scores = {
        name: documents_with[name] / len(documents) * (1.0 + math.log(count))
        for name, count in occurrences.items()
        if documents_with[name] >= wanted
    }
    best = dict(sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:MAX_ENTITIES])
    return _scaled(best, 1.0, 3.0)


def _terms(documents: Sequence[LearnDocument], entity_words: set[str]) -> dict[str, float]:
    per_document: list[Counter[str]] = []
    rarity: dict[str, float] = {}
    for document in documents:
        found: Counter[str] = Counter()
        for token in tokens(f"{document.title}\n{document.text}"):
            word = analyse_word(token, document.language)
            if (
                len(word.lemma) < MIN_TERM_CHARS
                or not word.lemma.isalpha()
                or word.rarity < MIN_TERM_RARITY
                or word.lemma in entity_words
                or _looks_like_name(token, _language(document))
            ):
                continue
            found[word.lemma] += 1
            rarity[word.lemma] = word.rarity
        per_document.append(found)
    occurrences, documents_with = _counted(per_document)
    wanted = _min_documents(len(documents))
    scores = {
        lemma: documents_with[lemma]
        / len(documents)
        * rarity[lemma]
        * (1.0 + math.log(count / documents_with[lemma]))
        for lemma, count in occurrences.items()
        if documents_with[lemma] >= wanted
    }
    best = dict(sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:MAX_TERMS])
    return _scaled(best, 0.5, 3.0)


def _reference_vector(documents: Sequence[LearnDocument]) -> dict[str, float]:
    total: Counter[str] = Counter()
    for document in documents:
        analysed = analyse(document.title, document.text, document.language)
        if analysed.norm:
            for lemma, weight in analysed.vector.items():
                total[lemma] += weight / analysed.norm / len(documents)
    return {lemma: round(weight, 4) for lemma, weight in total.most_common(REFERENCE_TERMS)}


def learn_topic(name: str, documents: Sequence[LearnDocument]) -> LearnedTopic:
    """Draft a profile called ``name`` from example documents (at least one)."""
    if not documents:
        raise ValueError("learning needs at least one document")
    entities = _entities(documents)
    entity_words = {word.casefold() for entity in entities for word in entity.split()}
    languages = tuple(sorted({document.language or "de" for document in documents} & {"de", "en"})) or ("de",)
    top_names = list(entities)[:SEARCH_QUERIES]
    return LearnedTopic(
        name=name,
        languages=languages,
        references=tuple(document.name for document in documents),
        terms=_terms(documents, entity_words),
        entities=entities,
        reference_vector=_reference_vector(documents),
        search={language: top_names for language in languages},
    )
