"""The ``[digest]`` settings and how the reports read them.

``DigestSettings`` is meant to become the ``digest`` section of ``newsmon.config.Config`` (the core
must not import the reports, so the class moves there when it is wired). Until then, and for a
config written before that, ``digest_settings(config)`` falls back to the defaults.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from newsmon.config import Config


class DigestSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    language: Literal["de", "en"] = Field(
        "de", description="Language of the digest (texts, dates, subject): de or en."
    )
    empty_week: Literal["skip", "send"] = Field(
        "skip",
        description="A week without relevant articles: skip (archive it, mail nothing) or send a short "
        "'no new coverage' mail.",
    )
    review_base_url: str | None = Field(
        None,
        description="Base URL of the review UI; when set, stories and the week link into it "
        "(<base>/stories/<id>, <base>/topics/<topic>?week=<week>).",
    )
    list_id: str = Field(
        "{topic}.newsmon.localhost",
        description="List-Id of digest mails (RFC 2919, {topic} is replaced by the topic's name), "
        "so mail clients can filter them.",
    )
    top_stories: int = Field(10, ge=1, le=100, description="Stories shown in full (lead, outlets, why).")
    more_articles: int = Field(
        15, ge=0, le=500, description="Further stories listed by title below the top stories."
    )

    @field_validator("review_base_url")
    @classmethod
    def _http_base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http or https URL with a host")
        return value.rstrip("/")


def digest_settings(config: Config) -> DigestSettings:
    """The digest section of ``config``, or the defaults while ``Config`` has none."""
    section = getattr(config, "digest", None)
    return section if isinstance(section, BaseModel) else DigestSettings()
