"""What a crawl starts from: named discovery documents, independent of where they were declared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TargetKind = Literal["feed", "sitemap", "search"]
# the order spiders run in: publishers' own lists first, so search results are mostly known
KINDS: tuple[TargetKind, ...] = ("feed", "sitemap", "search")


@dataclass(frozen=True)
class Target:
    """One feed, sitemap or search feed to crawl. ``name`` is the source name articles are stored under.

    Site quirks: only article URLs matching ``url_pattern`` (``re.search``) are followed, and a
    sitemap's ``max_age_days`` replaces ``crawl.sitemap_max_age_days`` for it.
    """

    name: str
    kind: TargetKind
    url: str
    url_pattern: str | None = None
    max_age_days: float | None = None
