"""Pure functions that turn a normalised text into the keys the dedup layers look up.

- ``content_hash``: exact copies (layer b).
- ``shingles`` / ``minhash_signature`` / ``band_keys``: near copies through MinHash + LSH (layer c).
  The band keys go into an indexed table, so a lookup costs one index probe per band whatever
  the size of the store.
- ``story_terms``: the rare words of a text weighted by how unusual they are in the language
  (wordfreq), for grouping different texts about the same event (layer d).

No state lives here; everything a later lookup needs is returned and stored by the caller.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import zlib
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
from datasketch import MinHash

MINHASH_SEED = 7
MINHASH_SCHEME = "affine32"  # persisted signatures are only comparable within one scheme
_KEY_MASK = (1 << 63) - 1  # keys are stored as signed 64-bit integers


def content_hash(normalized: str) -> str:
    """Hex digest identifying an exact copy of the normalised text."""
    return hashlib.blake2b(normalized.encode("utf-8"), digest_size=16).hexdigest()


def shingles(tokens: Sequence[str], size: int) -> set[bytes]:
    """Overlapping word n-grams; a text shorter than ``size`` words is one shingle."""
    if len(tokens) < size:
        return {" ".join(tokens).encode("utf-8")} if tokens else set()
    grams = zip(*(tokens[offset:] for offset in range(size)), strict=False)
    return {" ".join(gram).encode("utf-8") for gram in grams}


@cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    return MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations


def minhash_signature(shingle_set: Iterable[bytes], num_perm: int) -> np.ndarray:
    """MinHash signature (uint32 array of ``num_perm`` values) of a shingle set.

    crc32 is enough as the base hash: datasketch's affine32 scheme mixes it with a MurmurHash3
    finalizer before permuting, and it is several times faster than the default SHA-1.
    """
    sketch = MinHash(
        num_perm=num_perm,
        seed=MINHASH_SEED,
        hashfunc=zlib.crc32,
        permutations=_permutations(num_perm),
        scheme=MINHASH_SCHEME,
    )
    sketch.update_batch(list(shingle_set))
    return sketch.hashvalues.astype(np.uint32)


def signature_bytes(signature: np.ndarray) -> bytes:
    return signature.astype("<u4").tobytes()


def signature_from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def band_keys(signature: np.ndarray, bands: int) -> list[int]:
    """One key per LSH band: texts sharing any key are near-duplicate candidates."""
    rows = len(signature) // bands
    raw = signature.astype("<u4").tobytes()
    width = rows * 4
    keys = []
    for band in range(bands):
        digest = hashlib.blake2b(
            raw[band * width : (band + 1) * width], digest_size=8, person=band.to_bytes(2, "little")
        )
        keys.append(int.from_bytes(digest.digest(), "little") & _KEY_MASK)
    return keys


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal MinHash values: an unbiased estimate of the Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / len(a)


def exact_similarity(a: set[bytes], b: set[bytes]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger) of two shingle sets."""
    if not a or not b:
        return 0.0, 0.0
    shared = len(a & b)
    return shared / len(a | b), shared / min(len(a), len(b))


# --- story terms --------------------------------------------------------------------------

STORY_TERMS = 40  # terms kept per article for story similarity
STORY_INDEX_TERMS = 16  # the rarest of them go into the lookup index
_RARITY_CEILING = 6.5  # zipf value of very common words: they weigh nothing
_MIN_TERM_CHARS = 3


@cache
def _frequencies(language: str) -> dict[str, float]:
    # wordfreq's table loads once per process and language (a few hundred ms)
    from wordfreq import get_frequency_dict

    return get_frequency_dict(language, wordlist="best")


def _background_language(language: str | None) -> str:
    return language if language in ("de", "en") else "de"


def story_terms(tokens: Sequence[str], language: str | None, limit: int = STORY_TERMS) -> dict[str, float]:
    """The ``limit`` rarest words of a text with their rarity (a ceiling minus the zipf frequency).

    Same-event reports share the unusual words (names, products, figures: "nanosekunden",
    "h200-chips", "hassabis"), while common topic words weigh little.
    """
    frequencies = _frequencies(_background_language(language))
    # hyphenated compounds count by their parts: "ki-modelle" is as common as "modelle"
    parts: set[str] = set()
    for token in set(tokens):
        if "-" in token:
            parts.update(token.split("-"))
        else:
            parts.add(token)
    weights: dict[str, float] = {}
    for token in parts:
        if len(token) < _MIN_TERM_CHARS or token.isdigit():
            continue
        frequency = frequencies.get(token, 0.0)
        weight = _RARITY_CEILING - (math.log10(frequency * 1e9) if frequency > 0 else 0.0)
        if weight > 0:
            weights[token] = weight
    ranked = heapq.nsmallest(limit, weights.items(), key=lambda item: (-item[1], item[0]))
    return {term: round(weight, 3) for term, weight in ranked}


def term_key(term: str) -> int:
    """Stable 63-bit key of a story term for the index table."""
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") & _KEY_MASK


def story_similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """Weighted overlap of two term profiles, relative to the lighter one."""
    if not a or not b:
        return 0.0
    shared = sum(min(weight, b[term]) for term, weight in a.items() if term in b)
    return shared / min(sum(a.values()), sum(b.values()))
