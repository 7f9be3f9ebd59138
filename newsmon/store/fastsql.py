"""Hot-path statements: SQLAlchemy Core compiled once per dialect, run on the driver's cursor.

Storing one article runs about a dozen small statements. SQLAlchemy's work per execution (cache
lookup, parameter processing, result wrapping) costs 25–130 µs each, twenty times what SQLite
needs for an index probe, so on the ingest path it cost more than the database itself.

The SQL and the parameter handling stay SQLAlchemy's: a statement is compiled by the
connection's dialect (casts, paramstyle, RETURNING) and every parameter passes through its column
type's bind processor, so values are stored exactly as a Core ``execute`` would store them.
What is left out: result processing (results are plain tuples — use these statements for
integers, floats, text and bytes, not for dates or JSON), expanding IN parameters (build one
statement per list length with ``InListStatement``) and the wrapping of driver errors (callers
catch ``driver_error(connection, "IntegrityError")``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable

_Processor = Callable[[Any], Any] | None
_UNSET = object()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    defaults: tuple[Any, ...]  # bound literal values (LIMIT 20), else _UNSET
    processors: tuple[_Processor, ...]
    positional: bool

    @cached_property
    def _plain(self) -> Callable[[Mapping[str, Any]], Any] | None:
        """For statements whose parameters need no processing and have no defaults (integers,
        floats, text, bytes on most dialects): one C-level item lookup per parameter set."""
        if not self.positional or any(self.processors) or any(d is not _UNSET for d in self.defaults):
            return None
        if len(self.names) == 1:
            name = self.names[0]
            return lambda values: (values[name],)
        return itemgetter(*self.names)

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        plain = self._plain
        if plain is not None:
            return plain(values)  # type: ignore[no-any-return]
        processed = []
        for name, default, processor in zip(self.names, self.defaults, self.processors, strict=True):
            value = values[name] if default is _UNSET else values.get(name, default)
            processed.append(processor(value) if processor and value is not None else value)
        return processed if self.positional else dict(zip(self.names, processed, strict=True))


def _default(bind: BindParameter[Any]) -> Any:
    return bind.value if bind.value is not None and not bind.required else _UNSET


class FastStatement:
    """A Core statement prepared per dialect for execution on the DBAPI cursor."""

    def __init__(self, statement: Executable, column_keys: Sequence[str] | None = None) -> None:
        self._statement = statement
        self._column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            core = self._statement.compile(dialect=dialect, column_keys=self._column_keys)  # type: ignore[attr-defined]
            names = tuple(core.positiontup) if dialect.positional else tuple(core.binds)
            binds = [core.binds[name] for name in names]
            compiled = _Compiled(
                sql=core.string,
                names=names,
                defaults=tuple(_default(bind) for bind in binds),
                processors=tuple(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in binds),
                positional=dialect.positional,
            )
            self._compiled[dialect.name] = compiled
        return compiled

    def all(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run and fetch every row as a tuple."""
        compiled = self._for(connection.dialect)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(values))
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        finally:
            cursor.close()

    def scalar(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        """Run and return the first column of the first row, or None."""
        rows = self.all(connection, values)
        return rows[0][0] if rows else None

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> None:
        """Run a statement without result rows."""
        self.all(connection, values)

    def executemany(self, connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        """Run once per parameter set, in one driver call."""
        compiled = self._for(connection.dialect)
        batch = [compiled.parameters(row) for row in rows]
        if not batch:
            return
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(compiled.sql, batch)
        finally:
            cursor.close()


class InListStatement:
    """A statement with an IN list of varying length: one FastStatement per length.

    ``build(names)`` returns the Core statement for the given placeholder names (use them with
    ``bindparam``); values are passed as a list under ``list_name``.
    """

    def __init__(self, list_name: str, build: Callable[[list[BindParameter[Any]]], Executable]) -> None:
        self._list_name = list_name
        self._build = build
        self._by_length: dict[int, FastStatement] = {}

    def _statement(self, length: int) -> FastStatement:
        statement = self._by_length.get(length)
        if statement is None:
            placeholders = [bindparam(f"{self._list_name}_{index}") for index in range(length)]
            statement = self._by_length[length] = FastStatement(self._build(placeholders))
        return statement

    def _values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        items = list(values[self._list_name])
        flat = {key: value for key, value in values.items() if key != self._list_name}
        flat.update({f"{self._list_name}_{index}": item for index, item in enumerate(items)})
        return flat

    def all(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        length = len(values[self._list_name])
        return self._statement(length).all(connection, self._values(values)) if length else []


def driver_error(connection: Connection, name: str) -> type[Exception]:
    """The driver's exception class ``name`` (e.g. IntegrityError) for ``except`` clauses."""
    return getattr(connection.dialect.loaded_dbapi, name)  # type: ignore[no-any-return]


def run_driver_sql(connection: Connection, sql: str) -> None:
    """Run a fixed statement (SAVEPOINT, RELEASE …) on the driver's cursor: through SQLAlchemy's
    ``exec_driver_sql`` it costs ten times as much, and a document needs three of them."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()
