"""Source health for the daemon's callers: the implementation is the core's ``newsmon.health``
(shared with `newsmon crawl` and the digest); the review UI still imports it from here."""

from newsmon.health import SourceHealth, apply_backoff, backoff_delay, source_health

__all__ = ["SourceHealth", "apply_backoff", "backoff_delay", "source_health"]
