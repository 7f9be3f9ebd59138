"""The answer key: what a correct crawler makes of every article URL the site advertises.

Crawler tests look entries up by id (``manifest["tb-h200-lizenzen"]``), by URL or by special case
(``manifest.by_case("slow")``) and compare the crawler's outcome with ``expected``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Reasons a URL is not stored; a crawler reports one of these classes (or stores the article).
REASONS = frozenset(
    {
        "not_found",
        "server_error",
        "rate_limited",
        "timeout",
        "redirect_loop",
        "too_large",
        "not_html",
        "encoding",
        "robots",
        "ssrf",
        "off_topic",
        "consent_wall",
        "paywall",
    }
)


@dataclass(frozen=True)
class ManifestEntry:
    """One advertised URL and its expected outcome.

    ``expected`` is ``"stored"``, ``"duplicate_of:<id>"`` (the URL must end up as an alias of that
    entry's article, whichever of the two the crawler fetched first) or a reason of ``REASONS``.
    It describes a crawler with a timeout shorter than the site's slow delay that retries a 429
    after its Retry-After. ``case`` names the special behaviour ("article" for a plain one);
    ``listed_in`` are the feed and sitemap URLs that list this URL (the search feed lists it
    wrapped in its ``/r?url=`` redirect).
    """

    id: str
    url: str
    outlet: str
    on_topic: bool
    expected: str
    case: str
    title: str
    listed_in: tuple[str, ...] = ()
    story: str | None = None

    @property
    def duplicate_of(self) -> str | None:
        prefix, _, original = self.expected.partition(":")
        return original if prefix == "duplicate_of" else None


class Manifest:
    """All entries, in a stable order (hand-written, copies, special pages, synthetic)."""

    def __init__(self, entries: Iterable[ManifestEntry]) -> None:
        self._entries = tuple(entries)
        self._by_id = {entry.id: entry for entry in self._entries}
        self._by_url = {entry.url: entry for entry in self._entries}
        if len(self._by_id) != len(self._entries) or len(self._by_url) != len(self._entries):
            raise ValueError("manifest ids and URLs must be unique")
        for entry in self._entries:
            original = entry.duplicate_of
            if entry.expected not in REASONS and entry.expected != "stored" and original not in self._by_id:
                raise ValueError(f"manifest entry {entry.id}: unknown expectation {entry.expected!r}")

    def __iter__(self) -> Iterator[ManifestEntry]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, entry_id: str) -> ManifestEntry:
        return self._by_id[entry_id]

    def __contains__(self, url: object) -> bool:
        return url in self._by_url

    def by_url(self, url: str) -> ManifestEntry | None:
        return self._by_url.get(url)

    def by_case(self, case: str) -> tuple[ManifestEntry, ...]:
        return tuple(entry for entry in self._entries if entry.case == case)
