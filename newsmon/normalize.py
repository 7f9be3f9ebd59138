"""The comparison form of a text, shared by every deduplication layer.

Two copies of an article that differ only in typography (curly vs straight quotes, dashes, soft
hyphens, zero-width characters, line breaks and spacing, case) must compare equal. Display text is
never normalised; only hashes, shingles and term statistics are computed from this form.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import chain

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


def _format_characters() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Format characters (soft hyphen, zero-width space/joiners, BOM, bidi marks) carry no text.

    Unicode places them only in the planes scanned here. Two patterns, because a character class
    that mixes in characters beyond U+FFFF is matched by a slow linear scan in ``re``.
    """
    code_points = chain(range(0x30000), range(0xE0000, 0xE1000))
    found = [chr(cp) for cp in code_points if unicodedata.category(chr(cp)) == "Cf"]
    basic = "".join(re.escape(char) for char in found if char <= "\uffff")
    astral = "".join(re.escape(char) for char in found if char > "\uffff")
    return re.compile(f"[{basic}]+"), re.compile(f"[{astral}]+")


_INVISIBLE_BASIC, _INVISIBLE_ASTRAL = _format_characters()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")
# one character class (the ellipsis is the only multi-character target): far faster than an alternation
_TYPOGRAPHIC = re.compile("[" + "".join(re.escape(char) for char in _PUNCTUATION) + "]")


_ASTRAL_LEAD_BYTE = re.compile(rb"[\xf0-\xf4]")  # UTF-8 starts characters beyond U+FFFF with these


def _has_astral(text: str) -> bool:
    # encoding and a bytes search cost a few microseconds; max(text) costs tens
    return _ASTRAL_LEAD_BYTE.search(text.encode("utf-8", "surrogatepass")) is not None


def _drop_format_characters(text: str) -> str:
    text = _INVISIBLE_BASIC.sub("", text)
    return _INVISIBLE_ASTRAL.sub("", text) if _has_astral(text) else text


def _to_ascii_punctuation(text: str) -> str:
    # a regex finds the few typographic characters faster than str.translate visits every one
    return _TYPOGRAPHIC.sub(lambda match: _PUNCTUATION[match.group()], text)


def strip_invisible(text: str) -> str:
    """Remove format and control characters but keep line breaks and tabs (for display text)."""
    return _CONTROL.sub("", _drop_format_characters(text))


def normalize_text(text: str) -> str:
    """Return the comparison form of ``text``.

    NFKC, typographic quotes/dashes/apostrophes to ASCII, invisible format characters removed,
    casefolded, whitespace collapsed to single spaces and stripped. Idempotent, total on str.
    """
    # map before NFKC too: NFKC would split a double prime (″) into two single primes
    text = _drop_format_characters(unicodedata.normalize("NFKC", _to_ascii_punctuation(text)))
    text = text.casefold()
    if not text.isascii() and (
        not unicodedata.is_normalized("NFKC", text) or _TYPOGRAPHIC.search(text) is not None
    ):
        # casefolding can produce sequences NFKC would compose differently, or a typographic
        # apostrophe ("ŉ" folds to "ʼn"); the checks are quick scans, a second pass is not
        text = _drop_format_characters(unicodedata.normalize("NFKC", _to_ascii_punctuation(text)))
    # str.split() splits on exactly the characters ``re``'s \s matches, and is several times faster
    return " ".join(text.split())


_WORD = re.compile(r"\w+(?:[-']\w+)*")


def words(normalized: str) -> list[str]:
    """Word tokens of an already normalised text (hyphenated compounds stay one token)."""
    return _WORD.findall(normalized)
