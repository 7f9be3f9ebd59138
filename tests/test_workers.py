"""The worker pool's ordered map: order kept, errors handed back per call, a dying worker survived."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from newsmon.workers import WorkerPool

POISON = 7


def square_or_die(number: int) -> int:
    """Kills its worker process on POISON, as a page that crashes lxml would."""
    if number == POISON:
        os._exit(3)
    if number < 0:
        raise ValueError(f"negative: {number}")
    return number * number


def _outcomes(pool: WorkerPool, numbers: list[int], ahead: int) -> list[object]:
    return [
        future.exception() or future.result()
        for future in pool.ordered(square_or_die, [(number,) for number in numbers], ahead)
    ]


@pytest.mark.parametrize("workers", [0, 2])
def test_results_come_back_in_order_with_each_calls_own_error(workers: int) -> None:
    pool = WorkerPool(workers)
    pool.start(int)
    try:
        outcomes = _outcomes(pool, [3, -1, 2, 5, 0, 4] * 5, ahead=4)
    finally:
        pool.shutdown()
    expected = [9, "negative: -1", 4, 25, 0, 16] * 5
    assert [str(o) if isinstance(o, ValueError) else o for o in outcomes] == expected


def test_a_call_that_kills_its_worker_fails_alone() -> None:
    pool = WorkerPool(2)
    pool.start(int)
    try:
        outcomes = _outcomes(pool, [1, 2, 3, POISON, 4, 5, 6, 8, 9], ahead=6)
    finally:
        pool.shutdown()
    assert isinstance(outcomes[3], BrokenProcessPool)
    others = outcomes[:3] + outcomes[4:]
    assert others == [1, 4, 9, 16, 25, 36, 64, 81]  # the calls queued beside it were tried again
