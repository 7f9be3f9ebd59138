"""What a query word, a weighted term or an entity variant matches in an analysed text.

A pattern is a phrase of one or more words; a word ending in ``*`` matches every key starting with
it (``Chip*``: "chips", "chipfabrik", and through compound heads "spitzenchips"). A plain word
matches the surface form or lemma of the text's words, so "Exportkontrolle" finds
"Exportkontrollen" and "export controls" finds "export control". A German genitive or plural in
``-s`` ("Nvidias", "Chips") is accepted for every word that does not end in s itself.

Matches are spans ``(first, last)`` of word positions, which is what phrases and NEAR compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

from newsmon.topics.analysis import AnalysedText, lemma_of, tokens
from newsmon.topics.errors import PatternError

Span = tuple[int, int]
MIN_PREFIX = 3


def _word_keys(word: str) -> frozenset[str]:
    """Every form a text's word may have to match ``word``: as written, lemmatised, genitive."""
    keys = {word.casefold()}
    for form in (word, word.capitalize()):
        for language in ("de", "en"):
            keys.add(lemma_of(form, (language,)))
    keys.update(f"{key}s" for key in list(keys) if key.isalpha() and len(key) >= 3 and not key.endswith("s"))
    return frozenset(keys)


@dataclass(frozen=True)
class WordPattern:
    """A word matched by its surface form or lemma."""

    keys: frozenset[str]

    def positions(self, text: AnalysedText) -> set[int]:
        index = text.positions
        return set(chain.from_iterable(index[key] for key in self.keys if key in index))

    def occurs(self, text: AnalysedText) -> bool:
        index = text.positions  # (frozenset.isdisjoint would walk the whole index)
        return any(key in index for key in self.keys)


@dataclass(frozen=True)
class PrefixPattern:
    """A word given as ``prefix*``: any key of the text that starts with the prefix."""

    prefix: str

    def positions(self, text: AnalysedText) -> set[int]:
        return set(chain.from_iterable(text.positions[key] for key in text.keys_with_prefix(self.prefix)))

    def occurs(self, text: AnalysedText) -> bool:
        return text.has_prefix(self.prefix)


@dataclass(frozen=True)
class Phrase:
    """Words that must follow each other; a single word is a phrase of one."""

    text: str
    words: tuple[WordPattern | PrefixPattern, ...]

    def occurs(self, text: AnalysedText) -> bool:
        if len(self.words) == 1:
            return self.words[0].occurs(text)  # the common case, without building positions
        return bool(self.spans(text))

    def spans(self, text: AnalysedText) -> list[Span]:
        if not all(word.occurs(text) for word in self.words):  # cheap, and usually false
            return []
        starts = self.words[0].positions(text)
        for offset, word in enumerate(self.words[1:], 1):
            if not starts:
                break
            following = word.positions(text)
            starts = {start for start in starts if start + offset in following}
        last = len(self.words) - 1
        return [(start, start + last) for start in starts]


def compile_phrase(source: str) -> Phrase:
    """Compile a term, entity variant or quoted query phrase; ``*`` may end any of its words."""
    words: list[WordPattern | PrefixPattern] = []
    for chunk in source.split():
        prefix = chunk.endswith("*")
        core = chunk.rstrip("*")
        if "*" in core:
            raise PatternError(f"a wildcard may only end a word: {chunk!r}")
        parts = list(tokens(core))
        if not parts:
            raise PatternError(f"no letters or digits in {chunk!r}")
        words.extend(WordPattern(_word_keys(part)) for part in parts[:-1])
        if prefix:
            if len(parts[-1]) < MIN_PREFIX or not core.endswith(parts[-1]):
                raise PatternError(f"a wildcard needs {MIN_PREFIX} letters or digits before it: {chunk!r}")
            words.append(PrefixPattern(parts[-1].casefold()))
        else:
            words.append(WordPattern(_word_keys(parts[-1])))
    if not words:
        raise PatternError("empty phrase")
    return Phrase(" ".join(source.split()), tuple(words))


@dataclass(frozen=True)
class Feature:
    """A weighted entity or term of a profile: every way it is written, compiled for matching.

    The keys of all one-word variants are merged into one set, so the common case (the feature
    is absent) costs a few dictionary look-ups whatever the number of variants.
    """

    label: str
    weight: float
    keys: frozenset[str]
    phrases: tuple[Phrase, ...]  # several words or a wildcard

    def spans(self, text: AnalysedText) -> set[Span]:
        index = text.positions
        found: set[Span] = set()
        for key in self.keys:
            if key in index:
                found.update((position, position) for position in index[key])
        for phrase in self.phrases:
            found.update(phrase.spans(text))
        return found


def compile_feature(label: str, weight: float, sources: list[str]) -> Feature:
    """Compile a feature from its variants (PatternError names the variant that is wrong)."""
    keys: set[str] = set()
    phrases = []
    for source in dict.fromkeys(sources):
        phrase = compile_phrase(source)
        first = phrase.words[0]
        if len(phrase.words) == 1 and isinstance(first, WordPattern):
            keys |= first.keys
        else:
            phrases.append(phrase)
    return Feature(label, weight, frozenset(keys), tuple(phrases))
