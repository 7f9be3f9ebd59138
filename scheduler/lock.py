"""One daemon per database: a lease on a ``daemon_lock`` row, renewed by heartbeats.

Taking the lock is one conditional statement (insert the row, or take it over when its lease
expired), so two daemons racing on SQLite or PostgreSQL cannot both win; a heartbeat renews the
lease only while the row still names this holder, so a daemon that lost it (paused past its
lease, another took over) learns so and stops. Times are the daemons' UTC clocks: daemons on
several machines need clocks in sync to well within a lease.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Executable

from newsmon.store.db import WRITE_OPTION, Store
from newsmon.store.models import DaemonLock

SCHEDULER_LOCK = "scheduler"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_holder_id() -> str:
    """Names this daemon in the lock row: host and pid for people, a random part for uniqueness."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True)
class LockState:
    holder: str
    heartbeat_at: datetime
    expires_at: datetime


class DatabaseLock:
    """The lease of ``name`` in ``store`` for ``holder``."""

    def __init__(self, store: Store, lease_seconds: float, holder: str | None = None) -> None:
        self.store = store
        self.lease = timedelta(seconds=lease_seconds)
        self.holder = holder or new_holder_id()
        self.name = SCHEDULER_LOCK

    def _execute(self, statement_at: Callable[[datetime], Executable]) -> int:
        """Run the statement made for the current time once the write transaction has begun: a
        write that waited for another writer's lock stamps the time it got through, not the time
        it started waiting (a lease renewed after a long wait must not look expired already)."""
        with self.store.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
            with connection.begin():
                return connection.execute(statement_at(utcnow())).rowcount  # type: ignore[attr-defined]

    def acquire(self) -> bool:
        """Take the lock if it is free or expired; True when this holder has it now."""

        def take_over(now: datetime) -> Executable:
            return (
                update(DaemonLock)
                .where(
                    DaemonLock.name == self.name,
                    (DaemonLock.expires_at < now) | (DaemonLock.holder == self.holder),
                )
                .values(self._lease_values(now))
            )

        if self._execute(take_over):
            return True
        try:
            return bool(
                self._execute(
                    lambda now: insert(DaemonLock).values(name=self.name, **self._lease_values(now))
                )
            )
        except IntegrityError:  # the row exists and is held by a live daemon
            return False

    def renew(self) -> bool:
        """Extend the lease; False when this holder no longer has the lock."""
        return bool(
            self._execute(
                lambda now: update(DaemonLock)
                .where(DaemonLock.name == self.name, DaemonLock.holder == self.holder)
                .values(heartbeat_at=now, expires_at=now + self.lease)
            )
        )

    def release(self) -> None:
        self._execute(
            lambda _now: delete(DaemonLock).where(
                DaemonLock.name == self.name, DaemonLock.holder == self.holder
            )
        )

    def _lease_values(self, now: datetime) -> dict[str, object]:
        return {
            "holder": self.holder,
            "acquired_at": now,
            "heartbeat_at": now,
            "expires_at": now + self.lease,
        }


def lock_state(store: Store) -> LockState | None:
    """Who holds the scheduler lock (expired or not), for messages and ``newsmon status``."""
    query = select(DaemonLock.holder, DaemonLock.heartbeat_at, DaemonLock.expires_at).where(
        DaemonLock.name == SCHEDULER_LOCK
    )
    with store.engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else LockState(*row)
