"""The query strings a topic gives the crawler's search spider (news search feeds, GDELT).

A profile lists them per language under ``search``; a profile without them falls back to its
heaviest entities, which are names and read the same in every language.
"""

from __future__ import annotations

from newsmon.topics.profile import TopicProfile

FALLBACK_QUERIES = 5


def search_queries(profile: TopicProfile, language: str) -> tuple[str, ...]:
    """Queries for ``language`` (empty when the topic does not follow that language)."""
    if language not in profile.languages:
        return ()
    if profile.search.get(language):
        return profile.search[language]
    heaviest = sorted(profile.entities, key=lambda entity: (-entity.weight, entity.name))
    return tuple(entity.name for entity in heaviest[:FALLBACK_QUERIES])
