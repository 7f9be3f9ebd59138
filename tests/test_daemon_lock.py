"""The daemon's lease on the database, without a daemon: who may take it, renew it, release it."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime

from pathlib import Path

from newsmon.store.db import Store, open_store
from scheduler.lock import DatabaseLock, lock_state


def test_one_holder_at_a_time_until_the_lease_runs_out(store: Store) -> None:
    first = DatabaseLock(store, lease_seconds=0.5, holder="first")
    second = DatabaseLock(store, lease_seconds=0.5, holder="second")
    assert first.acquire()
    assert not second.acquire()
    assert first.renew()
    time.sleep(0.7)  # the lease of "first" runs out without a heartbeat
    assert second.acquire()
    assert not first.renew()  # "first" learns it lost the lock
    assert lock_state(store).holder == "second"  # type: ignore[union-attr]
    first.release()  # releasing a lock one no longer holds leaves the holder's row alone
    assert lock_state(store).holder == "second"  # type: ignore[union-attr]
    second.release()
    assert lock_state(store) is None


def test_a_renewal_that_waited_for_the_write_lock_is_stamped_when_it_got_through(tmp_path: Path) -> None:
    """SQLite only: it has the database-wide write lock a heartbeat can wait for."""
    store = open_store(f"sqlite:///{tmp_path / 'newsmon.db'}")
    lock = DatabaseLock(store, lease_seconds=60, holder="daemon")
    assert lock.acquire()
    holder = sqlite3.connect(tmp_path / "newsmon.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released: list[datetime] = []

    def release_later() -> None:
        time.sleep(1.5)
        released.append(datetime.now(UTC).replace(tzinfo=None))
        holder.execute("ROLLBACK")

    thread = threading.Thread(target=release_later)
    thread.start()
    try:
        assert lock.renew()  # waits within the busy timeout for the other writer
    finally:
        thread.join()
        holder.close()
    try:
        assert lock_state(store).heartbeat_at >= released[0]  # type: ignore[union-attr]
    finally:
        store.close()
