"""One typed configuration object for every part of newsmon.

Sources, lowest priority first: built-in defaults, the TOML file (``--config``, ``NEWSMON_CONFIG``
or ``./newsmon.toml``), then ``NEWSMON_*`` environment variables. Top-level keys map to
``NEWSMON_<KEY>`` (``NEWSMON_DATABASE_URL``), keys in a section to ``NEWSMON_<SECTION>__<KEY>``
(``NEWSMON_SMTP__HOST``). This module is the only one that reads the environment.

Every field carries its documentation in ``description``; ``newsmon config`` prints them all, and a
test makes sure none is missing. Secrets (the SMTP password) are accepted only from the environment.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from newsmon.errors import ConfigError

ENV_PREFIX = "NEWSMON_"
#: Environment variables that locate the configuration rather than being part of it.
LOCATOR_VARIABLES = frozenset({"NEWSMON_CONFIG"})
DEFAULT_FILE_NAME = "newsmon.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ImportSettings(_Section):
    max_bytes: int = Field(
        10_000_000, gt=0, description="Largest file `newsmon import` reads; larger files are rejected unread."
    )
    min_words: int = Field(
        40, ge=1, description="Documents with fewer words of clean text are rejected as 'too short'."
    )
    workers: int = Field(
        0,
        ge=0,
        description="Processes reading, extracting, scoring and fingerprinting files beside the one "
        "writing to the store; 0: one per CPU (none on one CPU).",
    )


class DedupSettings(_Section):
    shingle_words: int = Field(
        4,
        ge=2,
        le=10,
        description="Words per shingle for near-duplicate detection (after a change: newsmon db reindex).",
    )
    num_perm: int = Field(
        60,
        ge=16,
        le=512,
        description="MinHash permutations (signature length; after a change: newsmon db reindex).",
    )
    bands: int = Field(
        20,
        ge=2,
        description="LSH bands; num_perm must be a multiple of it (after a change: newsmon db reindex).",
    )
    near_jaccard: float = Field(
        0.7,
        gt=0,
        le=1,
        description="Jaccard similarity of shingle sets at or above which a text is a near copy.",
    )
    near_containment: float = Field(
        0.75,
        gt=0,
        le=1,
        description="Share of the shorter text's shingles found in the other text at or above which it is a "
        "near copy (truncated copies, copies wrapped in another header/footer).",
    )
    story_window_hours: int = Field(
        72, ge=0, description="Articles whose publication times lie further apart never share a story."
    )
    story_threshold: float = Field(
        0.08,
        gt=0,
        le=1,
        description="Weighted overlap of rare terms at or above which two articles of the same time window "
        "report the same story.",
    )


class SmtpSettings(_Section):
    host: str = Field("127.0.0.1", description="SMTP server host.")
    port: int = Field(25, ge=1, le=65535, description="SMTP server port.")
    security: Literal["starttls", "ssl", "none"] = Field("starttls", description="Transport security.")
    username: str | None = Field(
        None, description="SMTP login name; the password comes from NEWSMON_SMTP__PASSWORD."
    )
    password: SecretStr | None = Field(
        None, description="SMTP password. Environment only (NEWSMON_SMTP__PASSWORD); never written to logs."
    )
    sender: str = Field("newsmon@localhost", description="From address of digests.")
    timeout: float = Field(30.0, gt=0, description="Seconds to wait for the SMTP server.")


class DigestSettings(_Section):
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
        # the daemon parses the fields themselves; the core only checks the shape (it knows no APScheduler)
        if len(value.split()) != 5:
            raise ValueError("must be a cron expression of 5 fields: minute hour day month weekday")
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


class ServeSettings(_Section):
    host: str = Field(
        "127.0.0.1",
        description="Address `newsmon serve` listens on; anything but loopback needs serve.token.",
    )
    port: int = Field(8040, ge=1, le=65535, description="Port of `newsmon serve`.")
    token: SecretStr | None = Field(
        None,
        description="Access token of the review UI (HTTP basic auth password or Bearer token); required "
        "to listen beyond loopback. Environment only (NEWSMON_SERVE__TOKEN).",
    )


def _comma_list(value: Any) -> Any:
    """Lists may be written as one comma-separated string (handy in environment variables)."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class CrawlSettings(_Section):
    contact: str = Field(
        "mailto:newsmon@localhost",
        description="How site operators reach you (URL or mailto:); sent in the User-Agent. Set it.",
    )
    user_agent: str = Field(
        "newsmon/0.1 (+{contact})",
        description="User-Agent of every request; {contact} is replaced by crawl.contact.",
    )
    obey_robots: bool = Field(True, description="Obey robots.txt (disallowed URLs are logged as 'robots').")
    download_timeout: float = Field(
        20.0, gt=0, description="Seconds before a request is given up ('timeout')."
    )
    max_bytes: int = Field(
        10_000_000,
        gt=0,
        description="Largest response body, also after decompression; larger ones are dropped ('too large').",
    )
    max_redirects: int = Field(5, ge=0, description="Redirects followed per request before 'redirect loop'.")
    retries: int = Field(
        2, ge=0, description="Retries of a request that failed in a way that may pass (timeouts, 5xx, 429)."
    )
    concurrency: int = Field(16, ge=1, description="Requests in flight in total.")
    concurrency_per_domain: int = Field(2, ge=1, description="Requests in flight per site.")
    delay: float = Field(
        0.5, ge=0, description="Minimum seconds between requests to one site (AutoThrottle starts here)."
    )
    autothrottle: bool = Field(True, description="Adapt the delay per site to its response times.")
    max_retry_after: float = Field(
        600.0,
        ge=0,
        description="Longest Retry-After (seconds) honoured within a crawl; longer waits end the source's crawl.",
    )
    sitemap_max_age_days: float = Field(
        3.0, gt=0, description="Sitemap entries whose lastmod or publication date is older are not fetched."
    )
    min_words: int = Field(
        80, ge=1, description="Crawled pages with fewer words of clean text are 'too short'."
    )
    allow_private_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts or IPs in private, loopback or link-local ranges that may be crawled anyway "
        "(comma-separated in the environment, e.g. 127.0.0.1). Everything else there is refused (SSRF).",
    )
    extract_workers: int = Field(
        0,
        ge=0,
        description="Processes extracting pages beside the download loop; 0: one per CPU (none on one CPU).",
    )

    _split_hosts = field_validator("allow_private_hosts", mode="before")(_comma_list)

    @property
    def resolved_user_agent(self) -> str:
        return self.user_agent.replace("{contact}", self.contact)


class Config(_Section):
    home: Path = Field(
        Path("var"), description="Data directory (database, digests). Default ./var, or NEWSMON_HOME."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the store. Default: SQLite at <home>/newsmon.db. PostgreSQL works too, "
        "e.g. postgresql+psycopg://user@host:5432/db.",
    )
    timezone: str = Field(
        "Europe/Berlin", description="Time zone for dates without an offset and for display."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "WARNING", description="Logging threshold."
    )
    import_: ImportSettings = Field(
        default_factory=ImportSettings, alias="import", description="`newsmon import` limits."
    )
    dedup: DedupSettings = Field(
        default_factory=DedupSettings, description="Deduplication and story clustering."
    )
    smtp: SmtpSettings = Field(default_factory=SmtpSettings, description="Mail delivery of digests.")
    crawl: CrawlSettings = Field(default_factory=CrawlSettings, description="Fetching and politeness.")
    schedule: ScheduleSettings = Field(
        default_factory=ScheduleSettings, description="Daemon: when crawls, the digest and housekeeping run."
    )
    daemon: DaemonSettings = Field(
        default_factory=DaemonSettings, description="Daemon: database lock lease and health port."
    )
    serve: ServeSettings = Field(
        default_factory=ServeSettings, description="The review UI (`newsmon serve`): address and access token."
    )
    digest: DigestSettings = Field(
        default_factory=DigestSettings,
        description="The weekly digest: language, empty weeks, review links, List-Id, how many stories.",
    )
    topics_file: Path | None = Field(
        None,
        description="Topic profiles read instead of the shipped seeds/topics.toml (same format); stored "
        "articles are scored against them.",
    )
    sources_file: Path | None = Field(
        None,
        description="Sources list read instead of the shipped seeds/sources.toml (same format; "
        "sources added with `newsmon sources add` live in the database either way).",
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def store_url(self) -> str:
        """The database URL in force: the configured one or SQLite inside ``home``."""
        return self.database_url or f"sqlite:///{(self.home / 'newsmon.db').as_posix()}"


@dataclass(frozen=True)
class LoadedConfig:
    """The config plus where it came from, for messages and `newsmon config`."""

    config: Config
    file: Path | None


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


def _env_value(raw: str) -> Any:
    """Environment values are strings; JSON lists and tables are accepted for list/table keys."""
    if raw[:1] in "[{":
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _field_names(model: type[BaseModel]) -> dict[str, str]:
    """Map the external key (alias if any) to the field name."""
    return {(info.alias or name): name for name, info in model.model_fields.items()}


def _overlay_env(data: dict[str, Any], env: Mapping[str, str], origins: dict[str, str]) -> None:
    top = _field_names(Config)
    for variable, raw in env.items():
        if not variable.startswith(ENV_PREFIX) or variable in LOCATOR_VARIABLES:
            continue
        key = variable[len(ENV_PREFIX) :].lower()
        section, _, sub = key.partition("__")
        if section not in top:
            raise ConfigError(f"unknown setting {variable} (no key {section!r}; see `newsmon config`)")
        annotation = Config.model_fields[top[section]].annotation
        is_section = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        if is_section != bool(sub):
            hint = f"{ENV_PREFIX}{section.upper()}__<KEY>" if is_section else f"{ENV_PREFIX}{section.upper()}"
            raise ConfigError(f"unknown setting {variable} (use {hint})")
        if sub:
            data.setdefault(section, {})
            if not isinstance(data[section], dict):
                raise ConfigError(f"setting {section} must be a table")
            data[section][sub] = _env_value(raw)
            origins[f"{section}.{sub}"] = f"environment variable {variable}"
        else:
            data[section] = _env_value(raw)
            origins[section] = f"environment variable {variable}"


def _reject_file_secrets(data: dict[str, Any], path: Path | None) -> None:
    for section, key in (("smtp", "password"), ("serve", "token")):
        table = data.get(section)
        if isinstance(table, dict) and key in table:
            variable = f"{ENV_PREFIX}{section.upper()}__{key.upper()}"
            raise ConfigError(
                f"{section}.{key} in {path}: secrets are read only from the environment ({variable})"
            )


def _describe(error: Mapping[str, Any], origins: Mapping[str, str], path: Path | None) -> str:
    key = ".".join(str(part) for part in error["loc"])
    where = origins.get(key) or origins.get(key.split(".")[0]) or (str(path) if path else "defaults")
    if error["type"] == "extra_forbidden":
        return f"unknown setting {key} in {where}"
    value = error.get("input")
    shown = "" if isinstance(value, dict) else f" = {value!r}"
    return f"setting {key}{shown} in {where}: {error['msg']}"


def load_config(
    path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> LoadedConfig:
    """Build the config from defaults, the TOML file and the environment.

    Raises ConfigError with one line per wrong key, naming the key and where it was set.
    """
    env = os.environ if env is None else env
    chosen = path or env.get("NEWSMON_CONFIG")
    file = (
        Path(chosen) if chosen else (Path(DEFAULT_FILE_NAME) if Path(DEFAULT_FILE_NAME).is_file() else None)
    )
    data = _read_file(file) if file else {}
    _reject_file_secrets(data, file)
    origins = {key: str(file) for key in data}
    for section, value in data.items():
        if isinstance(value, dict):
            origins.update({f"{section}.{sub}": str(file) for sub in value})
    _overlay_env(data, env, origins)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(err, origins, file) for err in exc.errors())) from None
    dedup = config.dedup
    if dedup.num_perm % dedup.bands:
        where = origins.get("dedup.bands") or origins.get("dedup.num_perm") or "defaults"
        raise ConfigError(f"setting dedup.bands = {dedup.bands} in {where}: must divide dedup.num_perm")
    return LoadedConfig(config=config, file=file)


def describe_settings() -> list[tuple[str, str, Any, str]]:
    """Every key as (key, environment variable, default, description), for docs and `newsmon config`."""
    rows: list[tuple[str, str, Any, str]] = []
    for name, info in Config.model_fields.items():
        key = info.alias or name
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for sub, sub_info in annotation.model_fields.items():
                rows.append(
                    (
                        f"{key}.{sub}",
                        f"{ENV_PREFIX}{key.upper()}__{sub.upper()}",
                        sub_info.default,
                        sub_info.description or "",
                    )
                )
        else:
            rows.append((key, f"{ENV_PREFIX}{key.upper()}", info.default, info.description or ""))
    return rows
