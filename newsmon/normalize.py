"""The comparison form of a text, shared by every deduplication layer.

Two copies of an article that differ only in typography (curly vs straight quotes, dashes, soft
hyphens, zero-width characters, line breaks and spacing, case) must compare equal. Display text is
never normalised; only hashes, shingles and term statistics are computed from this form.
"""

from __future__ import annotations

import re
import unicodedata

# Typographic punctuation mapped to its ASCII stand-in. NFKC already folds some (e.g. U+2033);
# the rest are semantic variants NFKC keeps apart.
_PUNCTUATION = {
    # double quotes, including German „“ and guillemets
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2033": '"',
    "\u2036": '"',
    "\u301d": '"',
    "\u301e": '"',
    "\uff02": '"',
    # single quotes and apostrophes
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2039": "'",
    "\u203a": "'",
    "\u2032": "'",
    "\u2035": "'",
    "\u02bc": "'",
    "\u02b9": "'",
    "\u0060": "'",
    "\u00b4": "'",
    # dashes and minus signs
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\ufe58": "-",
    "\ufe63": "-",
    "\uff0d": "-",
    # ellipsis
    "\u2026": "...",
}
_TRANSLATION = str.maketrans(_PUNCTUATION)
_WHITESPACE = re.compile(r"\s+")


def _is_invisible(char: str) -> bool:
    """Format characters (soft hyphen, zero-width space/joiners, BOM, bidi marks) carry no text."""
    return unicodedata.category(char) == "Cf"


def normalize_text(text: str) -> str:
    """Return the comparison form of ``text``.

    NFKC, typographic quotes/dashes/apostrophes to ASCII, invisible format characters removed,
    casefolded, whitespace collapsed to single spaces and stripped. Idempotent, total on str.
    """
    # map before NFKC too: NFKC would split a double prime (″) into two single primes
    text = unicodedata.normalize("NFKC", text.translate(_TRANSLATION))
    text = "".join(char for char in text if not _is_invisible(char))
    text = text.translate(_TRANSLATION).casefold()
    # casefold and the mapping can produce sequences NFKC would compose differently
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if not _is_invisible(char))
    return _WHITESPACE.sub(" ", text).strip()


_WORD = re.compile(r"\w+(?:[-']\w+)*")


def words(normalized: str) -> list[str]:
    """Word tokens of an already normalised text (hyphenated compounds stay one token)."""
    return _WORD.findall(normalized)
