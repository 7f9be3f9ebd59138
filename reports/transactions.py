"""Short write transactions for the reports.

Digests are rendered in a read-only session and written in a separate, short transaction; on
SQLite a writing transaction takes the write lock up front (``WRITE_OPTION``), so it waits for a
concurrent crawl instead of failing when it turns from reading to writing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from newsmon.store.db import WRITE_OPTION, Store


@contextmanager
def writing(store: Store) -> Iterator[Connection]:
    """A connection in one transaction, committed on leaving (rolled back on an error)."""
    with store.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection, connection.begin():
        yield connection


@contextmanager
def writing_session(store: Store) -> Iterator[Session]:
    """An ORM session on a writing connection; the caller commits."""
    with Session(store.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False) as session:
        yield session
