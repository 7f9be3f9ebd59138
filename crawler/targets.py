"""What a crawl starts from: named discovery documents, independent of where they were declared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TargetKind = Literal["feed", "sitemap"]
KINDS: tuple[TargetKind, ...] = ("feed", "sitemap")


@dataclass(frozen=True)
class Target:
    """One feed or sitemap to crawl. ``name`` is the source name articles are stored under."""

    name: str
    kind: TargetKind
    url: str
