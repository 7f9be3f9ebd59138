"""Opening the store: engine with the right per-database settings, and migrations on start.

SQLite gets WAL (readers never block the writer, a killed process leaves a consistent file),
foreign keys on, ``synchronous=NORMAL`` (safe with WAL) and a busy timeout, so the CLI, the
daemon and the web UI can share one file. PostgreSQL needs nothing special.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from newsmon.errors import StoreError

SQLITE_CACHE_KIB = 262_144  # 256 MiB page cache: the LSH and story indexes stay in memory
WAL_AUTOCHECKPOINT_PAGES = 10_000
# Reads through a memory map instead of read() calls: index probes of a large store (1M articles)
# got about four times faster. SQLite caps the size at its compile-time maximum (2 GiB in common
# builds); mapped pages are the OS page cache, shared, not the process's own memory.
SQLITE_MMAP_BYTES = 8 << 30


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # newsmon issues BEGIN itself (see _sqlite_begin); the driver's implicit transactions would
    # break savepoints and start writes as deferred transactions
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "synchronous=NORMAL",
        "busy_timeout=10000",
        f"cache_size=-{SQLITE_CACHE_KIB}",
        f"mmap_size={SQLITE_MMAP_BYTES}",
        "temp_store=MEMORY",
        # checkpoint every ~40 MB of WAL instead of 4 MB: hot index pages are copied back once
        # per checkpoint, and each checkpoint stalls the commit that triggers it (bulk writers
        # hand checkpoints to a thread instead: BackgroundCheckpoints)
        f"wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


WRITE_OPTION = "newsmon_writes"  # execution option of connections that will write


def _sqlite_begin(connection: Connection) -> None:
    """BEGIN IMMEDIATE for writing connections: the write lock is taken (or waited for, up to the
    busy timeout) at the start, so a transaction that has read never fails on its first write
    because another process wrote in between."""
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; creates the SQLite file's directory when needed."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"database URL {url!r} is not valid: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the data directory for {parsed.database}: {exc.strerror}"
                ) from None
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise StoreError(f"no driver for database URL {parsed.render_as_string()}: {exc}") from None


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", "newsmon.store:migrations")
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to the newest schema (or ``revision``); returns (revision before, revision after)."""
    try:
        before = current_revision(engine)
        if before != (head_revision() if revision == "head" else revision):
            config = _alembic_config()
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        return before, current_revision(engine)
    except OperationalError as exc:
        raise StoreError(f"cannot open the database {engine.url.render_as_string()}: {exc.orig}") from None


class BackgroundCheckpoints:
    """WAL checkpoints of a bulk writer, run by a thread on its own connection (SQLite only).

    A checkpoint copies committed pages from the WAL back into the database file and syncs it:
    disk work that, done automatically, stalls whichever commit crosses the threshold. Here the
    writing connection turns its automatic checkpoints off and a thread runs PASSIVE checkpoints
    beside it (WAL lets a checkpoint and a writer proceed together), so the writer waits for the
    disk only through its own commits. ``stop`` runs a last checkpoint and turns the writer's
    automatic checkpoints back on. A no-op for other databases.
    """

    def __init__(self, engine: Engine, interval: float = 0.25) -> None:
        self._engine = engine
        self._interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0
        self.seconds = 0.0  # time the thread spent checkpointing, for benchmarks

    def start(self, writer: Connection) -> None:
        if self._engine.dialect.name != "sqlite" or self._thread is not None:
            return
        _pragma(writer, "wal_autocheckpoint=0")
        self._thread = threading.Thread(target=self._run, name="newsmon-checkpoints", daemon=True)
        self._thread.start()

    def stop(self, writer: Connection | None) -> None:
        if self._thread is None:
            return
        self._stopping.set()
        self._thread.join()
        self._thread = None
        if writer is not None and not writer.closed:
            _pragma(writer, f"wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")

    def _run(self) -> None:
        # the driver connection, outside any transaction: a checkpoint run inside one could not
        # copy pages committed after the transaction's snapshot
        connection = self._engine.raw_connection()
        try:
            while True:
                stopping = self._stopping.wait(self._interval)
                started = time.perf_counter()
                connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()
                self.seconds += time.perf_counter() - started
                self.checkpoints += 1
                if stopping:
                    return
        finally:
            connection.close()


def _pragma(connection: Connection, pragma: str) -> None:
    """Run a PRAGMA on the driver connection: through SQLAlchemy it would open a transaction."""
    connection.connection.driver_connection.execute(f"PRAGMA {pragma}").close()


class Store:
    """An opened, migrated store: the engine and a session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, migrate: bool = True) -> Store:
    """Open the store at ``url``, bringing its schema up to date first (as every command does)."""
    engine = create_store_engine(url)
    if migrate:
        upgrade(engine)
    return Store(engine)
