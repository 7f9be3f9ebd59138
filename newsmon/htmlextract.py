"""An HTML page to title, date, authors, paywall status and body, each from its best source.

Declarations win over guesses: the title from the page's own metadata (``htmltitle``), the date
from JSON-LD ``datePublished`` or a publication-time meta tag before htmldate has to search the
markup, authors from JSON-LD before meta tags and trafilatura's byline search. The body is
trafilatura's with the repairs of ``htmlbody``. Nothing here fetches anything: every library gets
the parsed tree, never a URL to load.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from lxml.html import HtmlElement

from newsmon.dates import FoundDate, find_dates
from newsmon.errors import InputError
from newsmon.htmlbody import extract_body
from newsmon.htmlmeta import PageMeta, declared_authors, declared_dates, read_page_meta
from newsmon.htmltitle import choose_title, title_candidates
from newsmon.textclean import CleanText

log = logging.getLogger(__name__)

_MARKUP = re.compile(r"<(?:!doctype|html|head|body|meta|title|div|p|article|main|section|span|h1)\b", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|&|\bund\b|\band\b)\s*")
_DESK_CODE = re.compile(r"\s*\([\w.]{1,6}\)$")
MARKUP_SAMPLE_CHARS = 20_000
EARLIEST_YEAR = 1995  # older "publication" dates in markup are placeholders or copyright years
TEASER_MAX_WORDS = 250  # a paywalled page with less text than this shows only its teaser
TEASER_SHARE = 0.6  # ... or with less than this share of the words it declares


@dataclass
class HtmlText(CleanText):
    """What the HTML path found: the plain-text cleaner's fields plus the paywall flag."""

    paywalled: bool = False


def parse_html(content: str) -> HtmlElement:
    """The page as an lxml tree, or InputError when the content is not HTML at all."""
    from trafilatura.utils import load_html

    if not _MARKUP.search(content[:MARKUP_SAMPLE_CHARS]):
        raise InputError("not HTML: no markup found")
    tree = load_html(content)
    if tree is None or tree.find("body") is None:
        raise InputError("not HTML: the markup could not be parsed into a page")
    return tree


def _parse_declared(value: str, origin: str, tz: ZoneInfo) -> FoundDate | None:
    """A declared timestamp: ISO 8601 (the norm), RFC 2822 (some feeds' habit), else a textual date."""
    moment: datetime | None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            moment = None
    if moment is None:
        found = find_dates(value, tz, origin)
        return found[0] if found else None
    has_time = "T" in value or ":" in value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return FoundDate(moment, "minute" if has_time else "day", origin)


def _plausible(found: FoundDate) -> bool:
    return EARLIEST_YEAR <= found.value.year and found.value <= datetime.now(UTC) + timedelta(days=1)


def published_date(page: PageMeta, tree: HtmlElement, url: str | None, tz: ZoneInfo) -> FoundDate | None:
    """The declared publication date, else htmldate's reading of the markup and URL."""
    for origin, value in declared_dates(page):
        found = _parse_declared(value, origin, tz)
        if found and _plausible(found):
            return found
    from htmldate import find_date

    guessed = find_date(tree, url=url, original_date=True, extensive_search=True)
    found_dates = find_dates(guessed, tz, origin="htmldate") if guessed else []
    return found_dates[0] if found_dates else None


def split_authors(names: list[str]) -> list[str]:
    """One name per entry: "Anna Muster und Ben Beispiel" and "A, B" become two, a desk code in
    brackets ("Elena Muster (emu)") goes, e-mail addresses are not names, duplicates go."""
    people = [_DESK_CODE.sub("", part).strip() for name in names for part in _AUTHOR_SPLIT.split(name)]
    return list(dict.fromkeys(person for person in people if person and "@" not in person))


def authors(page: PageMeta, tree: HtmlElement) -> list[str]:
    """Declared authors, else the byline trafilatura finds in the markup."""
    names = split_authors(declared_authors(page))
    if names:
        return names
    from trafilatura.metadata import extract_author

    byline = extract_author(tree)
    return split_authors([byline]) if byline else []


def is_teaser(page: PageMeta, words: int) -> bool:
    """The page declares the article not free, and the text we got is short: a paywall teaser."""
    if page.accessible_for_free is not False:
        return False
    declared = page.word_count
    if declared:
        return words < TEASER_SHARE * declared
    return words < TEASER_MAX_WORDS


def extract_html(content: str, url: str | None, tz: ZoneInfo) -> HtmlText:
    """Title, date, authors, paywall flag and clean paragraphs of one HTML page.

    Raises InputError when the content is not HTML or holds no article text.
    """
    tree = parse_html(content)
    page = read_page_meta(tree)
    title, origin = choose_title(page, url)
    if title is None:
        from trafilatura.metadata import extract_title

        title, origin = extract_title(tree), "trafilatura"
    date = published_date(page, tree, url, tz)
    names = authors(page, tree)
    titles = [text for _, text in title_candidates(page, url)]
    titles += [text for tag, text in page.headings if tag == "h1"]
    paragraphs = extract_body(tree, url, titles, page.descriptions, names)  # prunes the tree: runs last
    if not paragraphs:
        raise InputError("no article text found in the HTML")
    words = sum(len(paragraph.split()) for paragraph in paragraphs)
    return HtmlText(
        title=title,
        title_origin=origin if title else "none",
        paragraphs=paragraphs,
        date=date,
        authors=names,
        paywalled=is_teaser(page, words),
    )
