"""A story's lead: the first two or three sentences of its best article, cut at a sentence end.

German text is full of full stops that end no sentence ("z. B.", "Dr.", "3. Januar", "Nr. 5"),
so a full stop counts as a sentence end only when a capital (or an opening quote) follows and
the word before it is neither a number nor a known abbreviation.
"""

from __future__ import annotations

import re

MIN_CHARS = 160  # two short sentences rarely say enough; take a third
MAX_CHARS = 420
_CANDIDATE = re.compile(r"""(?<=[.!?…])["'»«“”]?\s+(?=["'„»«“(]?[A-ZÄÖÜ0-9])""")
_ABBREVIATIONS = frozenset(  # without their inner full stops: "z.B." and "z. B." both match
    "zb dh ua bzw ca dr prof nr mio mrd usw vgl etc inkl ggf evtl sog st abs hr fr jan feb mrz apr "
    "jun jul aug sep sept okt nov dez mr mrs ms vs no".split()
)


def _ends_sentence(before: str) -> bool:
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    stem = word.rstrip(".!?…\"'»«“”").casefold()
    if word.endswith(("!", "?", "…")) or word.endswith(tuple("\"'»«“”")):
        return True
    if stem.isdigit() or len(stem) == 1:  # "3. Januar", initials
        return False
    return stem.replace(".", "") not in _ABBREVIATIONS


def sentences(text: str) -> list[str]:
    """The text's sentences, whitespace collapsed."""
    flat = " ".join(text.split())
    found: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(flat):
        if _ends_sentence(flat[start : match.start()]):
            found.append(flat[start : match.start()].strip())
            start = match.end()
    if flat[start:].strip():
        found.append(flat[start:].strip())
    return found


def lead(text: str) -> str:
    """Two sentences, a third when they are short; never longer than MAX_CHARS (then cut at a word)."""
    chosen: list[str] = []
    for sentence in sentences(text):
        if chosen and len(" ".join([*chosen, sentence])) > MAX_CHARS:
            break
        chosen.append(sentence)
        length = len(" ".join(chosen))
        if len(chosen) >= 3 or (len(chosen) >= 2 and length >= MIN_CHARS):
            break
    result = " ".join(chosen)
    if len(result) > MAX_CHARS:
        result = result[:MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:–-") + " …"
    return result
