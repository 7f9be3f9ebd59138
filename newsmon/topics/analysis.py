"""Words of a text as topic matching sees them: surface form, lemma and German compound head.

Press German hides its subject in inflections and compounds: "Exportkontrollen", "KI-Chips",
"Hochleistungsprozessoren", "Nvidias". Every word is therefore looked up under several keys: its
casefolded surface form, its lemma (simplemma, dictionary based, German and English), and for long
German words the lemma of the compound's head (the longest known word it ends with: "prozessor").
Hyphenated compounds are split into their parts, so "US-Exportkontrollen" is two words.

A text is analysed once and then matched against any number of topics; the per-word work is cached
(the vocabulary of news is bounded), so a text costs little more than one pass over its words.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

import simplemma

# the rarity table the story layer builds once per process: sharing it keeps one copy in memory
from newsmon.fingerprints import word_rarities as rarities

LEAD_WORDS = 60  # the first words of the body count as the lead
RARITY_CEILING = 6.5  # zipf value of very common words: they weigh nothing in the similarity
_WORD_CACHE = 1 << 17  # distinct word forms (~45 MB): a few days of news vocabulary
_MIN_COMPOUND = 8  # shorter words are not split into modifier and head
_MIN_HEAD = 4
_MIN_MODIFIER = 3
_MAX_HEAD_RARITY = 4.0  # a head must be a word the press prints (zipf 2.5 or more)
# invisible characters that occur inside words: soft hyphen, zero-width space and (non-)joiners,
# word joiner, BOM ("Halb\u00adleiter" is one word)
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# a word (the parts of hyphenated compounds are words of their own), an English possessive dropped
_TOKEN = re.compile(r"(\w+)(?:['\u2019]s\b)?")
_DROP_INVISIBLE = str.maketrans(dict.fromkeys(_INVISIBLE))
_LEMMA_LANGUAGES = {"de": ("de", "en"), "en": ("en", "de")}
DEFAULT_LANGUAGE = "de"
_STEM_START = 3
_UMLAUTS = str.maketrans("äöü", "aou")


@dataclass(frozen=True, eq=False, slots=True)
class Word:
    """One distinct word form: the keys patterns may match, its lemma and how unusual that is
    (numbers count as common: they say nothing about a topic)."""

    keys: tuple[str, ...]
    lemma: str
    rarity: float


def lemma_languages(language: str | None) -> tuple[str, str]:
    """simplemma's languages for a text: its own first, the other one for quoted terms."""
    return _LEMMA_LANGUAGES.get(language or DEFAULT_LANGUAGE, _LEMMA_LANGUAGES[DEFAULT_LANGUAGE])


def _stem_start(word: str) -> str:
    return word[:_STEM_START].translate(_UMLAUTS)


def lemma_of(token: str, languages: tuple[str, ...]) -> str:
    """The casefolded lemma, or the casefolded token when the lemma does not start like it.

    Inflection keeps the start of a word ("Exportkontrollen", "Zölle", "Wettläufe"); a dictionary
    entry that does not ("AI" as a form of "be", "us" of "we") would make unrelated words meet.
    """
    surface = token.casefold()
    lemma = simplemma.lemmatize(token, lang=languages).casefold()
    return lemma if _stem_start(lemma) == _stem_start(surface) else surface


def compound_head(word: str) -> str | None:
    """Lemma of the longest German word that ``word`` ends with, leaving a modifier before it.

    ``word`` is casefolded; a head must be common enough in German news (wordfreq) to be a word.
    """
    if len(word) < _MIN_COMPOUND or not word.isalpha():
        return None
    known = rarities("de")
    for start in range(_MIN_MODIFIER, len(word) - _MIN_HEAD + 1):
        head = word[start:]
        if known.get(head, RARITY_CEILING) <= _MAX_HEAD_RARITY:
            return lemma_of(head.capitalize(), ("de",))
    return None


@lru_cache(maxsize=_WORD_CACHE)
def analyse_word(token: str, language: str | None) -> Word:
    """Keys, lemma and rarity of one token as written (case matters to German lemmatisation)."""
    languages = lemma_languages(language)
    surface = token.casefold()
    lemma = lemma_of(token, languages)
    keys = dict.fromkeys((surface, lemma))
    if languages[0] == "de":
        head = compound_head(surface)
        if head:
            keys[head] = None
    rarity = 0.0 if lemma.isdigit() else rarities(languages[0]).get(lemma, RARITY_CEILING)
    return Word(tuple(keys), lemma, rarity)


def tokens(text: str) -> list[str]:
    """The words of ``text`` as written, hyphenated compounds split into their parts."""
    text = unicodedata.normalize("NFKC", text)
    if any(char in text for char in _INVISIBLE):
        text = text.translate(_DROP_INVISIBLE)
    found: list[str] = _TOKEN.findall(text)
    return found


@dataclass
class AnalysedText:
    """A title and body as sequences of words, indexed by every key of every word.

    Positions run through the title first, then the body, so the smallest position of a match says
    in which zone it first occurs: ``[0, title_end)`` title, ``[title_end, lead_end)`` lead, then body.
    """

    language: str | None
    title_end: int
    lead_end: int
    size: int
    positions: dict[str, list[int]]
    words: dict[Word, int]  # occurrences of each distinct word

    def zone(self, position: int) -> str:
        if position < self.title_end:
            return "title"
        return "lead" if position < self.lead_end else "body"

    @cached_property
    def sorted_keys(self) -> list[str]:
        """All keys in order, for prefix look-ups by bisection."""
        return sorted(self.positions)

    def keys_with_prefix(self, prefix: str) -> Iterator[str]:
        keys = self.sorted_keys
        index = bisect_left(keys, prefix)
        while index < len(keys) and keys[index].startswith(prefix):
            yield keys[index]
            index += 1

    def has_prefix(self, prefix: str) -> bool:
        keys = self.sorted_keys
        index = bisect_left(keys, prefix)
        return index < len(keys) and keys[index].startswith(prefix)

    @cached_property
    def vector(self) -> dict[str, float]:
        """Lemma weights for similarity: dampened frequency times rarity (common words weigh nothing)."""
        counts: dict[str, int] = {}
        rarity: dict[str, float] = {}
        for word, count in self.words.items():
            if word.rarity:
                counts[word.lemma] = counts.get(word.lemma, 0) + count
                rarity[word.lemma] = word.rarity
        return {lemma: (1.0 + math.log(count)) * rarity[lemma] for lemma, count in counts.items()}

    @cached_property
    def norm(self) -> float:
        return math.sqrt(sum(weight * weight for weight in self.vector.values()))


def analyse(title: str, text: str, language: str | None = None) -> AnalysedText:
    """Analyse an article once for matching against any number of topics."""
    title_words = tokens(title)
    all_words = title_words + tokens(text)
    where: dict[str, list[int]] = {}  # positions per distinct token: each is looked up once
    for index, token in enumerate(all_words):
        found = where.get(token)
        if found is None:
            where[token] = [index]
        else:
            found.append(index)
    positions: dict[str, list[int]] = {}
    known = positions.get
    words: dict[Word, int] = {}
    for token, found in where.items():
        word = analyse_word(token, language)
        words[word] = len(found)  # one Word per distinct token
        for key in word.keys:
            earlier = known(key)
            positions[key] = found if earlier is None else earlier + found
    size = len(all_words)
    return AnalysedText(
        language=language,
        title_end=len(title_words),
        lead_end=min(size, len(title_words) + LEAD_WORDS),
        size=size,
        positions=positions,
        words=words,
    )
