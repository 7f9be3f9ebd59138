"""Errors of topic profiles and queries: one line naming where the problem is, never a traceback."""

from __future__ import annotations

from newsmon.errors import NewsmonError


class TopicError(NewsmonError):
    """A topics file, a topic name or a feedback mark is wrong (the message names file, topic and key)."""


class PatternError(TopicError):
    """A term, entity variant or query word has no letters or a misplaced or too short wildcard."""


class QueryError(TopicError):
    """A topic query cannot be parsed; ``position`` is the 1-based character where reading failed."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.position = position
