"""The ``[digest]`` settings the reports read (defined in ``newsmon.config``, with every key)."""

from __future__ import annotations

from newsmon.config import Config, DigestSettings

__all__ = ["DigestSettings", "digest_settings"]


def digest_settings(config: Config) -> DigestSettings:
    """The digest section of ``config``."""
    return config.digest
