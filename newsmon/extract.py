"""From a document's text or HTML to a clean article, the same way for imports and crawls.

``extract_article`` is the one entry point: it picks the plain-text cleaner or the HTML path
(``htmlextract``: declared metadata, trafilatura for the body) by the document kind, then detects
the language and applies the size gate. Junk raises ``InputError`` with the reason, so callers can
record why nothing was stored. A paywall teaser is not junk: it is stored with ``paywalled`` set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from newsmon.dates import FoundDate
from newsmon.errors import InputError
from newsmon.language import detect_language
from newsmon.textclean import CleanText, clean_plain_text

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
    # the page declares the article not free (schema.org isAccessibleForFree) and the text is short
    paywalled: bool = False

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def _from_plain_text(document: RawDocument, tz: ZoneInfo) -> CleanText:
    return clean_plain_text(document.content, tz)


def _from_html(document: RawDocument, tz: ZoneInfo) -> CleanText:
    # imported lazily: the HTML path pulls in lxml and trafilatura, which plain-text work never needs
    from newsmon.htmlextract import extract_html

    return extract_html(document.content, _web_url(document.url), tz)


def _web_url(url: str) -> str | None:
    """Only a web address helps the HTML extractors (host names, URL dates); a file URI does not."""
    return url if url.startswith(("http://", "https://")) else None


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
        paywalled=getattr(cleaned, "paywalled", False),
    )


_WARM_UP_BODY = (
    "Dieser kurze Text lädt die Bibliotheken und das Sprachmodell der Extraktion, bevor das erste "
    "Dokument eintrifft, damit es nicht darauf warten muss."
)
_WARM_UP_TEXT = f"Probe der Extraktion\n\n16.01.2026 16:07\n\n{_WARM_UP_BODY}\n"
_WARM_UP_PAGE = (
    '<!doctype html><html lang="de"><head><title>Probe</title></head><body><article>'
    f"<h1>Probe der Extraktion</h1><p>16.01.2026 16:07</p><p>{_WARM_UP_BODY}</p></article></body></html>"
)


def warm_up_documents(source: str = "import") -> list[RawDocument]:
    """A small built-in page and text: extracting them loads the libraries and the language
    model that the first real document would otherwise wait for (worker processes forked
    afterwards start with them loaded)."""
    return [
        RawDocument("http://warm-up.invalid/", _WARM_UP_PAGE, "html", source),
        RawDocument("file:///warm-up.txt", _WARM_UP_TEXT, "text", source),
    ]
