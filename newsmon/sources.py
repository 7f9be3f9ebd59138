"""Sources as data: the shipped list in ``seeds/sources.toml`` plus the user's own, in one table.

The shipped file is validated into frozen ``SourceSpec`` records (one wrong entry stops the load
with a line naming the file, the source and the key). The store's ``sources`` table holds one row
per source name, because crawl state (conditional-GET validators, last outcome, back-off) must
outlive every update of the file:

- shipped sources are synced into the table by name; the file owns their declaration (URL,
  outlet, …), the user owns ``enabled`` once the row exists, so a disabled source stays disabled;
- user sources (``newsmon sources add``) live only in the table and survive restarts and updates;
- a shipped source that leaves the file, or a removed user source that documents still refer
  to, stays as an ``import`` row: a name stored articles carry, never crawled.

Where the shipped file is: a wheel carries ``seeds/`` as package data ``newsmon/seeds/``; a source
checkout has it beside the package. ``load_sources(path)`` reads any other file of the same form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import Connection, Executable, delete, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from newsmon.errors import NewsmonError
from newsmon.store.db import WRITE_OPTION, Store
from newsmon.store.models import Article, ArticleUrl, FetchLog, Source
from newsmon.tablefile import load_table_list

Kind = Literal["feed", "sitemap", "search"]
Origin = Literal["shipped", "user", "import"]
#: Origins of sources that are crawled; ``import`` rows are only names documents were stored under.
CONFIGURED: tuple[Origin, ...] = ("shipped", "user")
NAME_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
QUERY = "{query}"
_SHIPPED = ("seeds", "sources.toml")


class SourceError(NewsmonError):
    """A sources file or a source given on the command line is wrong, or a change is refused."""


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError("source_url", "must be an http or https URL with a host")
    return value


class SourceSpec(BaseModel):
    """One declared source: where to look (feed, news sitemap or search) and its quirks.

    A record per feed or sitemap rather than per outlet keeps crawl state per address; ``outlet``
    groups them for display.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str = Field(max_length=100)
    outlet: str = Field(min_length=1, max_length=200)
    kind: Kind
    url: str | None = None
    url_template: str | None = None
    language: str = Field("de", pattern=r"^[a-z]{2,3}$")
    enabled: bool = True
    verified: bool = True
    url_pattern: str | None = None
    lastmod_days: int | None = Field(None, ge=1)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(NAME_PATTERN, value):
            raise PydanticCustomError(
                "source_name", "must be lower-case letters and digits joined by single hyphens"
            )
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)

    @field_validator("url_template")
    @classmethod
    def _template(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if QUERY not in value:
            raise PydanticCustomError("source_template", "must contain {query}")
        _http_url(value.replace(QUERY, "q"))
        return value

    @field_validator("url_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        try:
            re.compile(value or "")
        except re.error as exc:
            raise PydanticCustomError(
                "source_pattern", "not a regular expression: {reason}", {"reason": str(exc)}
            ) from None
        return value

    @model_validator(mode="after")
    def _fits_kind(self) -> SourceSpec:
        wanted, other = ("url_template", "url") if self.kind == "search" else ("url", "url_template")
        if getattr(self, wanted) is None or getattr(self, other) is not None:
            raise PydanticCustomError(
                "source_kind",
                "a {kind} source needs {wanted} and no {other}",
                {"kind": self.kind, "wanted": wanted, "other": other},
            )
        if self.lastmod_days is not None and self.kind != "sitemap":
            raise PydanticCustomError("source_kind", "lastmod_days applies to sitemap sources only")
        return self

    @property
    def address(self) -> str:
        """The URL, or for a search source its template."""
        return self.url or self.url_template or ""

    def search_url(self, query: str) -> str:
        """The address a search source is asked for one topic query (URL-encoded into the template)."""
        if self.url_template is None:
            raise ValueError(f"{self.name} is a {self.kind} source, not a search")
        return self.url_template.replace(QUERY, quote(query, safe=""))


def _describe(error: Mapping[str, Any], where: str, label: str) -> str:
    key = ".".join(str(part) for part in error["loc"])
    prefix = f"{where}: source {label}"
    if error["type"] == "extra_forbidden":
        return f"{prefix}: unknown key {key}"
    if error["type"] == "missing":
        return f"{prefix}: key {key} is missing"
    if key:
        return f"{prefix}: {key} = {error['input']!r}: {error['msg']}"
    return f"{prefix}: {error['msg']}"


def parse_source(data: Any, where: str, number: int | None = None) -> SourceSpec:
    """Validate one source declaration; SourceError names ``where``, the source and each wrong key."""
    try:
        return SourceSpec.model_validate(data)
    except ValidationError as exc:
        name = data.get("name") if isinstance(data, dict) else None
        label = repr(name) if isinstance(name, str) else f"#{number}"
        raise SourceError("\n".join(_describe(err, where, label) for err in exc.errors())) from None


def shipped_sources_file() -> Path:
    """The shipped list: package data of an installed newsmon, else the checkout's seeds/ folder."""
    packaged = Path(__file__).parent.joinpath(*_SHIPPED)
    return packaged if packaged.is_file() else Path(__file__).resolve().parents[1].joinpath(*_SHIPPED)


def load_sources(path: Path | None = None) -> tuple[SourceSpec, ...]:
    """Read and validate a sources file (default: the shipped one).

    Every problem of the file is reported, one line each, in a single SourceError.
    """
    path = path or shipped_sources_file()
    return load_table_list(path, "source", "sources", parse_source, SourceError)


@dataclass(frozen=True)
class ConfiguredSource:
    """A source as the crawler takes it: the declaration (with ``enabled`` as now set) and its row."""

    id: int
    origin: Origin
    spec: SourceSpec

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `newsmon sources list --json`."""
        return {**self.spec.model_dump(), "origin": self.origin}


@dataclass(frozen=True)
class CrawlState:
    """What the last crawl of a source left behind (written by the crawler)."""

    name: str
    kind: str
    enabled: bool
    last_crawled_at: datetime | None
    last_outcome: str | None
    last_error: str | None
    consecutive_failures: int
    next_attempt_at: datetime | None

    @property
    def health(self) -> Literal["unchecked", "ok", "failing"]:
        if self.last_crawled_at is None:
            return "unchecked"
        return "failing" if self.consecutive_failures else "ok"


_DECLARED = ("kind", "url", "url_template", "outlet", "language", "verified")


def _declared(spec: SourceSpec) -> dict[str, Any]:
    return {column: getattr(spec, column) for column in _DECLARED}


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _insert_new(connection: Connection, rows: list[dict[str, Any]]) -> Executable:
    """INSERT that skips names present already: another process may insert the same name at once."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(Source).values(rows).on_conflict_do_nothing(index_elements=["name"])


class SourceRegistry:
    """The ``sources`` table read through the shipped list. Open it with ``open_registry``."""

    def __init__(self, store: Store, shipped: Sequence[SourceSpec]) -> None:
        self.store = store
        self.shipped = {spec.name: spec for spec in shipped}

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.store.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
            with connection.begin():
                yield connection

    def _sync_statements(self, connection: Connection) -> list[Executable]:
        columns = [Source.name, Source.origin, Source.enabled, *(getattr(Source, c) for c in _DECLARED)]
        rows = {row.name: row for row in connection.execute(select(*columns))}
        statements: list[Executable] = []
        new = [
            {
                **_declared(spec),
                "name": spec.name,
                "origin": "shipped",
                "enabled": spec.enabled,
                "created_at": _utcnow(),
            }
            for spec in self.shipped.values()
            if spec.name not in rows
        ]
        if new:
            statements.append(_insert_new(connection, new))
        for spec in self.shipped.values():
            row = rows.get(spec.name)
            if row is None or row.origin == "user":  # a user's source of the same name wins
                continue
            values = {**_declared(spec), "origin": "shipped"}
            if row.origin != "shipped":
                values["enabled"] = spec.enabled  # the file decides once, then the user does
            if any(getattr(row, column) != value for column, value in values.items()):
                statements.append(update(Source).where(Source.name == spec.name).values(values))
        retired = [name for name, row in rows.items() if row.origin == "shipped" and name not in self.shipped]
        if retired:
            statements.append(update(Source).where(Source.name.in_(retired)).values(origin="import"))
        return statements

    def sync(self) -> None:
        """Bring the shipped declarations into the table; writes only when something changed."""
        with self.store.engine.connect() as connection:
            if not self._sync_statements(connection):
                return
        with self._writing() as connection:
            for statement in self._sync_statements(connection):  # again: the table may have moved on
                connection.execute(statement)

    def _spec(self, row: Any) -> SourceSpec:
        shipped = self.shipped.get(row.name) if row.origin == "shipped" else None
        if shipped is not None:
            return shipped.model_copy(update={"enabled": row.enabled})
        declared = {"name": row.name, "enabled": row.enabled, **{c: getattr(row, c) for c in _DECLARED}}
        return parse_source(declared, "the sources table")

    def sources(self, include_disabled: bool = False) -> list[ConfiguredSource]:
        """Shipped and user sources by name; only the enabled ones unless ``include_disabled``."""
        query = select(Source).where(Source.origin.in_(CONFIGURED)).order_by(Source.name)
        if not include_disabled:
            query = query.where(Source.enabled)
        with self.store.engine.connect() as connection:
            return [
                ConfiguredSource(row.id, row.origin, self._spec(row)) for row in connection.execute(query)
            ]

    def states(self) -> list[CrawlState]:
        """The last crawl result of every shipped and user source, by name."""
        columns = [getattr(Source, field.name) for field in fields(CrawlState)]
        query = select(*columns).where(Source.origin.in_(CONFIGURED)).order_by(Source.name)
        with self.store.engine.connect() as connection:
            return [CrawlState(*row) for row in connection.execute(query)]

    def add(self, spec: SourceSpec) -> None:
        """Store a user source. A name only imported documents carry becomes that source."""
        with self._writing() as connection:
            origin = connection.scalar(select(Source.origin).where(Source.name == spec.name))
            if origin in CONFIGURED:
                raise SourceError(f"a {origin} source named {spec.name} exists already; choose another name")
            values = {**_declared(spec), "origin": "user", "enabled": spec.enabled}
            if origin is not None:
                connection.execute(update(Source).where(Source.name == spec.name).values(values))
                return
            row = {**values, "name": spec.name, "created_at": _utcnow()}
            if not connection.execute(_insert_new(connection, [row])).rowcount:
                raise SourceError(f"a source named {spec.name} was added meanwhile; choose another name")

    def _configured(self, connection: Connection, name: str) -> Any:
        row = connection.execute(
            select(Source.id, Source.origin).where(Source.name == name, Source.origin.in_(CONFIGURED))
        ).first()
        if row is None:
            raise SourceError(f"no source named {name!r} (see `newsmon sources list --all`)")
        return row

    def remove(self, name: str) -> bool:
        """Delete a user source; True when its row is gone.

        Documents stored under it keep their source: then the row stays as an ``import`` name,
        no longer crawled (False). Shipped sources cannot be removed, only disabled.
        """
        with self._writing() as connection:
            row = self._configured(connection, name)
            if row.origin == "shipped":
                raise SourceError(
                    f"{name} is shipped with newsmon and cannot be removed; `newsmon sources disable {name}` stops it"
                )
            used = or_(
                *(exists().where(table.source_id == row.id) for table in (Article, ArticleUrl, FetchLog))
            )
            if connection.scalar(select(used)):
                connection.execute(update(Source).where(Source.id == row.id).values(origin="import"))
                return False
            connection.execute(delete(Source).where(Source.id == row.id))
            return True

    def set_enabled(self, name: str, enabled: bool) -> None:
        """Switch a shipped or user source on or off; the choice outlives updates of the shipped list."""
        with self._writing() as connection:
            row = self._configured(connection, name)
            connection.execute(update(Source).where(Source.id == row.id).values(enabled=enabled))


def open_registry(store: Store, shipped: Sequence[SourceSpec] | None = None) -> SourceRegistry:
    """The registry of ``store`` with the shipped list (default: the shipped file) synced into it."""
    registry = SourceRegistry(store, load_sources() if shipped is None else shipped)
    registry.sync()
    return registry
