"""The ``[schedule]`` and ``[daemon]`` sections of the config, and durations such as ``"30m"``.

The section models live here (the daemon's own settings); ``newsmon.config.Config`` carries them
as fields ``schedule`` and ``daemon``. ``schedule_settings``/``daemon_settings`` fall back to the
defaults when a config object has no such field, so the daemon also runs with a config built
before the sections were wired in.
"""

from __future__ import annotations

import re
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, field_validator

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")


def parse_duration(value: str) -> float:
    """Seconds in ``"30m"``, ``"5s"``, ``"1h30m"`` or a bare number of seconds."""
    text = value.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    parts = _DURATION.findall(text)
    if not parts or _DURATION.sub("", text).strip():
        raise ValueError(f"{value!r} is not a duration such as 30m, 5s, 1h30m")
    seconds = sum(float(number) * _UNITS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ValueError(f"{value!r} must be longer than zero")
    return seconds


def _duration(value: Any) -> str:
    parse_duration(str(value))
    return str(value)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduleSettings(_Section):
    feeds: str = Field("30m", description="How often feed sources are crawled (30m, 5s, 1h30m).")
    sitemaps: str = Field("1h", description="How often sitemap sources are crawled.")
    search: str = Field("2h", description="How often search sources are asked for the topics' queries.")
    jitter: float = Field(
        0.1,
        ge=0,
        le=0.5,
        description="Random delay added to each crawl, as a share of its interval, so many "
        "daemons do not hit the sites at the same instant.",
    )
    digest: str = Field(
        "0 7 * * mon", description="When the weekly digest job runs (cron: minute hour day month weekday)."
    )
    digest_timezone: str = Field("Europe/Berlin", description="Time zone of the digest's cron expression.")
    housekeeping: str = Field(
        "0 3 * * *", description="When old fetch-log rows are dropped and SQLite optimised (cron)."
    )
    fetch_log_days: int = Field(
        90, ge=1, description="Fetch-log rows and daemon run records older than this are deleted."
    )
    crawl_timeout: str = Field("45m", description="A crawl child still running after this is killed.")
    crawl_memory_mb: int = Field(
        2048, ge=256, description="Address-space ceiling of a crawl child (MiB); beyond it the crawl fails."
    )
    grace_seconds: float = Field(
        30.0,
        gt=0,
        description="On SIGTERM/SIGINT the running crawl gets this long to finish its items before it is killed.",
    )
    misfire_grace: str = Field(
        "10m",
        description="A crawl that could not start on time (daemon busy or down) still runs within this "
        "delay; later ones are skipped until the next interval. The digest always runs once.",
    )
    backoff: str = Field(
        "30m", description="Wait after a source's first failed crawl; doubled after each further failure."
    )
    backoff_max: str = Field("1d", description="Longest back-off of a failing source.")
    unhealthy_after: int = Field(
        5, ge=1, description="A source whose last crawls failed this many times in a row is unhealthy."
    )

    _durations = field_validator(
        "feeds", "sitemaps", "search", "crawl_timeout", "misfire_grace", "backoff", "backoff_max"
    )(_duration)

    @field_validator("digest", "housekeeping")
    @classmethod
    def _cron(cls, value: str) -> str:
        CronTrigger.from_crontab(value, timezone="UTC")
        return value


class DaemonSettings(_Section):
    lease_seconds: float = Field(
        60.0,
        ge=3,
        description="The daemon's database lock expires this long after its last heartbeat "
        "(another daemon may then take over); heartbeats come three times per lease.",
    )
    health_port: int | None = Field(
        None, ge=1, le=65535, description="Port of /healthz on 127.0.0.1 (off when unset)."
    )


def schedule_settings(config: Any) -> ScheduleSettings:
    """The config's ``[schedule]`` section, or the defaults when the config has none."""
    return getattr(config, "schedule", None) or ScheduleSettings()


def daemon_settings(config: Any) -> DaemonSettings:
    """The config's ``[daemon]`` section, or the defaults when the config has none."""
    return getattr(config, "daemon", None) or DaemonSettings()
