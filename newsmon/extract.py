"""From a document's text or HTML to a clean article, the same way for imports and crawls.

``extract_article`` is the one entry point: it picks the plain-text cleaner or trafilatura by the
document kind, then detects the language and applies the size gate. Junk raises ``InputError``
with the reason, so callers can record why nothing was stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from newsmon.dates import FoundDate, find_dates
from newsmon.errors import InputError
from newsmon.language import detect_language
from newsmon.textclean import CleanText, clean_extracted_text, clean_plain_text

DocumentKind = Literal["text", "html"]


@dataclass(frozen=True)
class RawDocument:
    """A document as it arrived: from a file, or (later) from a crawled response."""

    url: str
    content: str
    kind: DocumentKind
    source: str = "import"
    fetched_at: datetime | None = None


@dataclass
class Article:
    """A clean article, ready for deduplication and storage."""

    url: str
    title: str
    text: str
    language: str | None
    published: FoundDate | None
    authors: list[str] = field(default_factory=list)
    title_origin: str = "none"

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def _from_plain_text(document: RawDocument, tz: ZoneInfo) -> CleanText:
    return clean_plain_text(document.content, tz)


def _from_html(document: RawDocument, tz: ZoneInfo) -> CleanText:
    # imported lazily: trafilatura pulls in lxml and its settings, which plain-text work never needs
    from trafilatura import bare_extraction
    from trafilatura.deduplication import LRUCache
    from trafilatura.settings import Document

    result = bare_extraction(
        document.content,
        url=document.url if document.url.startswith("http") else None,
        with_metadata=True,
        include_comments=False,
        deduplicate=LRUCache(maxsize=1024),  # in-document only; trafilatura's default cache is global
    )
    if not isinstance(result, Document) or not result.text:
        raise InputError("no article text found in the HTML")
    paragraphs = clean_extracted_text(result.text)
    date = None
    if result.date:
        found = find_dates(result.date, tz, origin="htmldate")
        date = found[0] if found else None
    authors = [name.strip() for name in re.split(r";|,| und ", result.author or "") if name.strip()]
    return CleanText(
        title=result.title, title_origin="html", paragraphs=paragraphs, date=date, authors=authors
    )


def extract_article(document: RawDocument, tz: ZoneInfo, min_words: int) -> Article:
    """Clean ``document`` into an Article or raise InputError saying why it is not one."""
    extractor = _from_html if document.kind == "html" else _from_plain_text
    cleaned = extractor(document, tz)
    text = cleaned.body
    words = len(text.split())
    if words == 0:
        raise InputError("no text left after removing boilerplate")
    if words < min_words:
        raise InputError(f"too short: {words} words of text (minimum {min_words})")
    return Article(
        url=document.url,
        title=cleaned.title or "(ohne Titel)",
        text=text,
        language=detect_language(text),
        published=cleaned.date,
        authors=cleaned.authors,
        title_origin=cleaned.title_origin if cleaned.title else "none",
    )
