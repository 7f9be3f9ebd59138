"""A cookie or consent wall served in place of the article is recognised before extraction.

Extraction would reject such a page as too short and the reason would be lost; the fetch log
should say ``consent_wall``, because the article exists but needs another way in. Many real
article pages carry a cookie banner too, so a page counts as a wall only when it talks about
consent, has no article markup (``<article>``, a JSON-LD Article, ``og:type`` article) and has
little text.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.items import FetchedPage
from crawler.reasons import Reject

_ARTICLE_MARKUP = re.compile(
    r"<article[\s>]|\"@type\"\s*:\s*\"\w*(?:Article|Posting)\"|og:type\"\s+content=\"article\"", re.IGNORECASE
)
_CONSENT_WORDS = re.compile(r"cookie|consent|zustimm|einwillig|akzeptier|datenschutz|privacy", re.IGNORECASE)
_INVISIBLE = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
MAX_WALL_WORDS = 300  # a wall explains itself in a few paragraphs; an article is longer
MIN_CONSENT_WORDS = 2  # distinct consent words, so one mention of "Datenschutz" is not enough


def is_consent_wall(html: str) -> bool:
    """Whether ``html`` is a consent wall rather than an article page."""
    if _ARTICLE_MARKUP.search(html):
        return False
    text = _TAG.sub(" ", _INVISIBLE.sub(" ", html))
    found = {match.group(0).lower() for match in _CONSENT_WORDS.finditer(text)}
    return len(found) >= MIN_CONSENT_WORDS and len(text.split()) <= MAX_WALL_WORDS


class ConsentWallGate:
    """Drops pages that are consent walls (reason ``consent_wall``)."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedPage) and is_consent_wall(item.html):
            raise Reject("consent_wall", f"a consent page at {item.final_url} instead of the article")
        return item
