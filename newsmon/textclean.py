"""Turn a pasted or exported plain-text article into title, metadata and clean body.

Plain text arrives with whatever the copy picked up: site menus above the title, the title again
as a pseudo-heading every few paragraphs, a "date | comments | views" row, share and comment
widgets, picture credits glued to captions, remains of ``<img>`` attributes, and sometimes the whole
article two or three times over. The steps here undo that, in an order that matters: markup debris
first (it hides titles), then title, date and author lines, then furniture lines, then repeats.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from newsmon import boilerplate
from newsmon.dates import FoundDate, best_date, find_dates
from newsmon.normalize import normalize_text, strip_invisible

STRONG_PROSE_CHARS = 120  # a line at least this long (and not furniture) is article text
TITLE_MAX_CHARS = 160
TITLE_SEARCH_LINES = 40
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'“”»«]?\s+(?=[\"'„“»«(]?[A-ZÄÖÜ0-9])")
# A full stop after these does not end a sentence: "am 18. März", "z. B. Nvidia", "Dr. Lin".
_NO_BREAK_BEFORE = re.compile(
    r"(?:\b\d{1,2}\.|\b(?:z|d|u|o|v|s|u\.a|z\.b|bzw|ca|dr|prof|nr|st|vgl|inkl|ggf|evtl|mio|mrd|jh|hl)\.)$",
    re.IGNORECASE,
)
_AUTHOR_LINE = re.compile(
    r"(?:von|autor(?:in)?|autoren|text|by|written by)\s*:?\s*(?P<names>.{2,120})", re.IGNORECASE
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\bund\b|\band\b)\s*")
_NOT_A_PERSON = re.compile(r"redaktion|newsroom|team|staff|agentur|online$", re.IGNORECASE)
_DATE_LABEL = re.compile(
    r"^\W*(?:date|datum|stand|veröffentlicht(?: am)?|published|erschienen(?: am)?|am)\W*$", re.IGNORECASE
)
HEADER_MAX_LINES = 10
HEADER_MAX_CHARS = 800
REPEAT_MIN_WORDS = 6  # shorter sentences may legitimately recur ("Das ist alles.")
REPEAT_SHARE = 0.8  # a paragraph this much made of earlier sentences is a repeat


@dataclass
class CleanText:
    """What the plain-text cleaner found."""

    title: str | None
    title_origin: str
    paragraphs: list[str]
    date: FoundDate | None = None
    authors: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def _display_form(text: str) -> str:
    """NFC, no invisible format or control characters, Unix newlines: the text we store and show."""
    return strip_invisible(unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")))


def _strip_debris(line: str) -> str:
    """Remove pasted image markup, the caption/credit behind it, stray tags and inline credits."""
    pieces: list[str] = []
    position = 0
    for match in boilerplate.ATTRIBUTE_DEBRIS.finditer(line):
        if match.start() < position:
            continue
        pieces += [line[position : match.start()], " "]
        position = match.end()
        if match.group(0).endswith(">"):
            caption = boilerplate.DEBRIS_CAPTION.match(line, position)
            position = caption.end() if caption else position
    pieces.append(line[position:])
    line = boilerplate.HTML_TAG.sub(" ", "".join(pieces))
    line = boilerplate.INLINE_CREDIT.sub(" ", line)
    line = boilerplate.ACCESSIBILITY_HINT.sub("", line)
    return re.sub(r"[ \t]{2,}", " ", line).strip()


def is_sentence(line: str) -> bool:
    """Six words or more ending in sentence punctuation: prose, not a label, heading or byline."""
    return len(line.split()) >= 6 and line.rstrip("\"'“”»«)").endswith((".", "!", "?", "…"))


def _is_strong_prose(line: str) -> bool:
    return len(line) >= STRONG_PROSE_CHARS and not boilerplate.is_boilerplate_line(line)


def _title_candidate(line: str) -> bool:
    words = line.split()
    return (
        3 <= len(words) <= 25
        and len(line) <= TITLE_MAX_CHARS
        and not line.endswith((".", ",", ":", ";"))
        and not boilerplate.is_boilerplate_line(line)
        and not find_dates(line, ZoneInfo("UTC"))
    )


def _find_title(lines: list[str]) -> tuple[str | None, str]:
    """A line repeated as a title wins; else the first title-like line before the text starts."""
    keys = [normalize_text(line) for line in lines]
    counts = Counter(keys)
    # only the head can hold the title; checking every line against every other is quadratic
    for line, key in zip(lines[:TITLE_SEARCH_LINES], keys, strict=False):
        if _title_candidate(line):
            # a title also counts when it reappears glued to the start of a longer line
            repeats = counts[key] + sum(1 for other in keys if other != key and other.startswith(key + " "))
            if repeats >= 2:
                return line, "repeated-line"
    for line in lines:
        if _is_strong_prose(line):
            break
        if _title_candidate(line) and not _AUTHOR_LINE.fullmatch(line):
            return line, "first-line"
    return None, "none"


def _first_sentence_title(paragraphs: list[str]) -> str | None:
    """Without a title line, the lead sentence (shortened) names the article in lists."""
    for paragraph in paragraphs:
        sentence = _SENTENCE_END.split(paragraph, maxsplit=1)[0].strip()
        if sentence:
            words = sentence.split()
            return sentence if len(words) <= 20 else " ".join(words[:20]) + " …"
    return None


def _header_spans(lines: list[str]) -> list[tuple[int, str]]:
    """The part of the text where a publication date belongs: the first lines, and only the opening
    of long paragraphs (a date deep inside the text is about something else)."""
    spans: list[tuple[int, str]] = []
    seen_chars = 0
    for index, line in enumerate(lines[:HEADER_MAX_LINES]):
        if seen_chars > HEADER_MAX_CHARS:
            break
        spans.append((index, line if len(line) < STRONG_PROSE_CHARS else line[:80]))
        seen_chars += len(line)
    return spans


def _take_date(lines: list[str], tz: ZoneInfo) -> tuple[FoundDate | None, list[str]]:
    """Find the publication date in the header and remove the line (or prefix) that stated it."""
    candidates = [
        (index, found)
        for index, text in _header_spans(lines)
        for found in find_dates(text, tz, "text-header")
    ]
    best = best_date([found for _, found in candidates])
    if best is None:
        return None, lines
    index = next(i for i, found in candidates if found is best)
    line = lines[index]
    before, after = line[: best.start], line[best.end :]
    if len(line) < STRONG_PROSE_CHARS and not is_sentence(line):
        lines = lines[:index] + lines[index + 1 :]  # a meta line: date, source, counters
    elif _DATE_LABEL.fullmatch(before) or not before.strip():
        lines = [*lines[:index], after.lstrip(" |,:-–"), *lines[index + 1 :]]
    return best, lines


def _take_authors(lines: list[str]) -> tuple[list[str], list[str]]:
    authors: list[str] = []
    kept: list[str] = []
    for line in lines:
        match = _AUTHOR_LINE.fullmatch(line) if len(line) <= 140 and not is_sentence(line) else None
        if match:
            names = [name.strip(" .") for name in _AUTHOR_SPLIT.split(match["names"]) if name.strip(" .")]
            people = [name for name in names if not _NOT_A_PERSON.search(name)]
            authors += people or names
        else:
            kept.append(line)
    return authors, kept


def _drop_title_repeats(lines: list[str], title: str | None) -> list[str]:
    if not title:
        return lines
    key = normalize_text(title)
    kept = []
    for line in lines:
        normalized = normalize_text(line)
        if normalized == key:
            continue
        if normalized.startswith(key + " ") and len(line) > len(title):
            line = line[len(title) :].lstrip(" :–-|")
        kept.append(line)
    return kept


def _trim_furniture(lines: list[str]) -> list[str]:
    """Drop furniture lines; cut head and tail blocks that are menus and widgets."""
    strong = [i for i, line in enumerate(lines) if _is_strong_prose(line)]
    if not strong:
        return [line for line in lines if not boilerplate.is_boilerplate_line(line)]
    first, last = strong[0], strong[-1]
    head = [
        line for line in lines[:first] if is_sentence(line) and not boilerplate.is_boilerplate_line(line)
    ]
    middle = [line for line in lines[first : last + 1] if not boilerplate.is_boilerplate_line(line)]
    tail = lines[last + 1 :]
    if any(boilerplate.is_boilerplate_line(line) for line in tail):
        tail = []  # a widget block ends the article; what follows it is more furniture
    return head + middle + tail


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph; ordinals and common abbreviations do not end one."""
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(paragraph):
        if sentences and _NO_BREAK_BEFORE.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [sentence.strip() for sentence in sentences if sentence.strip()]


def _collapse_repeats(paragraphs: list[str]) -> list[str]:
    """Keep the first occurrence of every sentence, so a text pasted twice keeps one copy.

    A paragraph made mostly of sentences seen before is a repeat as a whole: its short leftovers
    ("Wie geht es weiter?") go with it.
    """
    seen: set[str] = set()
    result = []
    for paragraph in paragraphs:
        sentences = [(sentence, normalize_text(sentence)) for sentence in split_sentences(paragraph)]
        repeated = sum(len(key) for _, key in sentences if key in seen)
        if repeated >= REPEAT_SHARE * sum(len(key) for _, key in sentences):
            continue
        kept = []
        for sentence, key in sentences:
            if len(key.split()) >= REPEAT_MIN_WORDS:
                if key in seen:
                    continue
                seen.add(key)
            kept.append(sentence)
        if kept:
            result.append(" ".join(kept))
    return result


# a Markdown heading ("# Titel", "## Zwischentitel ##"): the marks are markup, not text
_MARKDOWN_HEADING = re.compile(r"#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?")


def _without_heading_marks(line: str) -> str:
    heading = _MARKDOWN_HEADING.fullmatch(line)
    return heading.group(1) if heading else line


def clean_plain_text(raw: str, tz: ZoneInfo) -> CleanText:
    """Clean one plain-text (or Markdown) article. Never raises on odd input; may return no paragraphs."""
    text = _display_form(raw)
    lines = [_strip_debris(_without_heading_marks(line.strip())) for line in text.split("\n")]
    lines = [line for line in lines if line]
    title, origin = _find_title(lines)
    if title:
        lines = lines[lines.index(title) + 1 :] if lines.index(title) < 10 else lines
        lines = _drop_title_repeats(lines, title)
    date, lines = _take_date(lines, tz)
    authors, lines = _take_authors(lines)
    paragraphs = _collapse_repeats(_trim_furniture(lines))
    if not title:
        title, origin = _first_sentence_title(paragraphs), "first-sentence"
    return CleanText(title=title, title_origin=origin, paragraphs=paragraphs, date=date, authors=authors)


def clean_extracted_text(text: str) -> list[str]:
    """The furniture and repeat steps alone, for text an HTML extractor already isolated."""
    lines = [_strip_debris(line.strip()) for line in _display_form(text).split("\n")]
    return _collapse_repeats([line for line in lines if line and not boilerplate.is_boilerplate_line(line)])
