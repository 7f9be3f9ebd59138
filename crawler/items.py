"""The items spiders yield and pipelines pass on: small dataclasses, nothing Scrapy-specific.

Every article URL a spider advertises ends as exactly one of them in the store pipeline: a
``FetchedPage`` (stored, a duplicate, or dropped by a gate with a reason), a ``Rejected`` (the
fetch failed, the reason says why) or a ``KnownCopy`` (its canonical URL is already stored).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from newsmon.dedup import Fingerprint
from newsmon.extract import Article, RawDocument
from newsmon.topics import TopicScore


@dataclass(frozen=True)
class FetchedPage:
    """An HTML page as fetched; ``article``, ``topic_scores`` (by topic name; empty without
    topic profiles) and ``fingerprint`` are filled in by the extract pipeline.

    ``url`` is the advertised URL (the one the fetch log and the store know it by), ``final_url``
    where redirects ended. ``html`` is the decoded text; ``encoding_note`` says when the declared
    charset was wrong and another one was used.
    """

    url: str
    final_url: str
    source: str
    html: str = field(repr=False)  # item reprs go into logs
    fetched_at: datetime
    encoding_note: str | None = None
    article: Article | None = field(default=None, repr=False)
    topic_scores: Mapping[str, TopicScore] = field(default_factory=dict, repr=False)
    fingerprint: Fingerprint | None = field(default=None, repr=False)

    def document(self) -> RawDocument:
        """The page as the core's ingest path takes it."""
        return RawDocument(self.url, self.html, "html", self.source, self.fetched_at)


@dataclass(frozen=True)
class Rejected:
    """A URL that will not be stored; ``reason`` is ``"<class>: <detail>"`` (see crawler.reasons)."""

    url: str
    source: str
    reason: str


@dataclass(frozen=True)
class KnownCopy:
    """A new URL whose canonical form is already stored: recorded as a duplicate, never fetched."""

    url: str
    source: str
