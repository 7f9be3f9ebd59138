"""Pure functions that turn a normalised text into the keys the dedup layers look up.

- ``content_hash``: exact copies (layer b).
- ``shingle_hashes`` / ``minhash_signature`` / ``band_keys``: near copies through MinHash + LSH
  (layer c). The band keys go into an indexed table, so a lookup costs one index probe per band
  whatever the size of the store.
- ``story_terms``: the rare words of a text weighted by how unusual they are in the language
  (wordfreq), for grouping different texts about the same event (layer d).

No state lives here; everything a later lookup needs is returned and stored by the caller.

MinHash is computed here with numpy rather than with datasketch: datasketch hashes every shingle
in a Python loop, while word shingles can be hashed as a vector from the hashes of their words,
which is what makes fingerprinting cheaper than the database work it feeds. The scheme is
the classic one (Broder): one multiply-shift hash per permutation, the minimum per permutation.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections.abc import Sequence
from functools import cache

import numpy as np

FINGERPRINT_SCHEME = "mshift64-v2"  # stored signatures and band keys compare only within one scheme
_SEED = 7
_KEY_MASK = np.uint64((1 << 63) - 1)  # keys are stored as signed 64-bit integers
_WORD_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd constants: multiplication mod 2^64 permutes
_MIX_MULTIPLIER = np.uint64(0xBF58476D1CE4E5B9)
_HIGH_HALF = np.uint64(32)


def content_hash(normalized: str) -> str:
    """Hex digest identifying an exact copy of the normalised text."""
    return hashlib.blake2b(normalized.encode("utf-8"), digest_size=16).hexdigest()


def _mix(values: np.ndarray) -> np.ndarray:
    """Spread the bits of 64-bit values (a multiply and xor-shift finaliser)."""
    values = values * _MIX_MULTIPLIER
    return values ^ (values >> np.uint64(31))


def shingle_hashes(tokens: Sequence[str], size: int) -> np.ndarray:
    """Sorted unique 64-bit hashes of the overlapping ``size``-word shingles of ``tokens``.

    A text shorter than ``size`` words is one shingle; no words, no shingles. Word hashes are
    crc32 (stable across processes, unlike ``hash``); a shingle combines its words' hashes by
    position, so the same words in another order give another shingle.
    """
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    word_hashes = np.fromiter(map(zlib.crc32, map(str.encode, tokens)), dtype=np.uint64, count=len(tokens))
    width = min(size, len(tokens))
    count = len(tokens) - width + 1
    combined = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(width):
            combined = combined * _WORD_MULTIPLIER + word_hashes[offset : offset + count]
        return np.unique(_mix(combined))


@cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(_SEED)
    multipliers = generator.integers(1, 1 << 63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    offsets = generator.integers(0, 1 << 63, size=num_perm, dtype=np.uint64)
    return multipliers, offsets


def minhash_signature(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    """MinHash signature (uint32 array of ``num_perm`` values) of a set of shingle hashes.

    Permutation i maps a hash h to the high 32 bits of ``a_i * h + b_i`` mod 2^64 (multiply-shift,
    a universal family); the signature keeps the minimum per permutation. An empty set gives all
    maxima, which matches nothing but another empty text.
    """
    multipliers, offsets = _permutations(num_perm)
    if hashes.size == 0:
        return np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    with np.errstate(over="ignore"):
        permuted = (hashes[:, None] * multipliers + offsets) >> _HIGH_HALF
    return permuted.min(axis=0).astype(np.uint32)


def signature_bytes(signature: np.ndarray) -> bytes:
    return signature.astype("<u4").tobytes()


def signature_from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def band_keys(signature: np.ndarray, bands: int) -> list[int]:
    """One key per LSH band: texts sharing any key are near-duplicate candidates.

    The rows of a band are combined positionally with the band number, so equal values in
    different bands give different keys.
    """
    rows = signature.astype(np.uint64).reshape(bands, -1)
    with np.errstate(over="ignore"):
        keys = np.arange(1, bands + 1, dtype=np.uint64) * _MIX_MULTIPLIER
        for column in range(rows.shape[1]):
            keys = _mix(keys * _WORD_MULTIPLIER + rows[:, column])
    return (keys & _KEY_MASK).tolist()


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal MinHash values: an unbiased estimate of the Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / len(a)


def exact_similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger) of two shingle-hash sets."""
    if not a.size or not b.size:
        return 0.0, 0.0
    shared = np.intersect1d(a, b, assume_unique=True).size
    return shared / (a.size + b.size - shared), shared / min(a.size, b.size)


# --- story terms --------------------------------------------------------------------------

STORY_TERMS = 40  # terms kept per article for story similarity and its explanation
STORY_INDEX_TERMS = 16  # the rarest of them go into the lookup index
_RARITY_CEILING = 6.5  # zipf value of very common words: they weigh nothing
_MIN_TERM_CHARS = 3


@cache
def word_rarities(language: str) -> dict[str, float]:
    """Rarity (ceiling minus zipf frequency, at least 0) of every word wordfreq knows.

    Built once per process and language (under a second): afterwards a word costs one lookup.
    """
    from wordfreq import get_frequency_dict

    return {
        word: max(0.0, _RARITY_CEILING - math.log10(frequency * 1e9))
        for word, frequency in get_frequency_dict(language, wordlist="best").items()
    }


def _background_language(language: str | None) -> str:
    return language if language in ("de", "en") else "de"


def _eligible(term: str) -> bool:
    return len(term) >= _MIN_TERM_CHARS and not term.isdigit()


class _SortKeys(dict[str, float]):
    """Sort key of a term: its negated rarity, 0 for terms that never count (too short, digits).

    Looked up once per unique word of every text, so the known words are prepared once per
    process and a lookup is a C-level dict access; unknown words get the full ceiling.
    """

    def __missing__(self, term: str) -> float:
        return -_RARITY_CEILING if _eligible(term) else 0.0


@cache
def _sort_keys(language: str) -> _SortKeys:
    return _SortKeys(
        (word, -rarity if _eligible(word) else 0.0) for word, rarity in word_rarities(language).items()
    )


def story_terms(tokens: Sequence[str], language: str | None, limit: int = STORY_TERMS) -> dict[str, float]:
    """The ``limit`` rarest words of a text with their rarity, rarest first.

    Same-event reports share the unusual words (names, products, figures: "nanosekunden",
    "h200-chips", "hassabis"), while common topic words weigh little. A word wordfreq does not
    know at all gets the full ceiling.
    """
    keys = _sort_keys(_background_language(language))
    candidates = set(tokens)
    # hyphenated compounds count by their parts: "ki-modelle" is as common as "modelle"
    compounds = [token for token in candidates if "-" in token]
    if compounds:
        candidates.difference_update(compounds)
        for compound in compounds:
            candidates.update(compound.split("-"))
    # two stable sorts in C: rarest first, ties alphabetically, so the result is stable
    ranked = sorted(sorted(candidates), key=keys.__getitem__)[:limit]
    return {term: round(-keys[term], 3) for term in ranked if keys[term] < 0}


def term_key(term: str) -> int:
    """Stable 63-bit key of a story term for the index table."""
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") & int(_KEY_MASK)


def story_similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """Weighted overlap of two term profiles, relative to the lighter one."""
    if not a or not b:
        return 0.0
    shared = sum(min(weight, b[term]) for term, weight in a.items() if term in b)
    return shared / min(sum(a.values()), sum(b.values()))
