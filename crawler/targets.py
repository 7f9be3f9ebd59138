"""What a crawl starts from: named discovery documents, independent of where they were declared.

A declared source (``newsmon.sources``) becomes one target, except a search source: it is a URL
template, asked once per query. The queries are the one given on the command line, else those of
the topic profiles (``newsmon.topics.search_queries``) in the source's language, each asked once
even when several topics share it. The command and the daemon build their targets here, so both
ask the same questions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from newsmon.sources import SourceSpec
from newsmon.topics import TopicProfile, loaded_topics, search_queries

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


def topic_queries(profiles: Iterable[TopicProfile], language: str) -> list[str]:
    """The distinct search queries of ``profiles`` for ``language``, in the profiles' order."""
    return list(dict.fromkeys(query for profile in profiles for query in search_queries(profile, language)))


def source_targets(
    spec: SourceSpec, profiles: Sequence[TopicProfile], query: str | None = None
) -> list[Target]:
    """The targets of one source: itself, or for a search source one per query (``query`` if
    given, else the topic profiles'); none for a search source without any query."""
    if spec.kind != "search":
        return [Target(spec.name, spec.kind, spec.address, spec.url_pattern, spec.lastmod_days)]
    queries = [query] if query else topic_queries(profiles, spec.language)
    return [Target(spec.name, "search", spec.search_url(one), spec.url_pattern) for one in queries]


def crawl_targets(
    specs: Iterable[SourceSpec], topics_file: Path | None, query: str | None = None
) -> tuple[list[Target], list[str]]:
    """The targets of ``specs``, and the names of search sources left without any query.

    The topic profiles in ``topics_file`` are read only when a search source needs their queries,
    and then once per process (the crawl that follows scores pages against the same ones).
    """
    specs = list(specs)
    needed = query is None and any(spec.kind == "search" for spec in specs)
    topics = loaded_topics(topics_file) if needed else ()
    targets, unasked = [], []
    for spec in specs:
        found = source_targets(spec, topics, query)
        targets += found
        if not found:
            unasked.append(spec.name)
    return targets, unasked
