"""Running one crawl in a child process: hard timeout, memory ceiling, graceful stop, kill.

The child gets a session of its own, so a Ctrl-C in the terminal reaches only the daemon, which
decides: on stop it sends SIGTERM (Scrapy then closes its spiders, and the open ingest batch
commits or rolls back whole) and kills the child's process group after the grace period. At the
hard timeout the group is killed at once: a crawl that overran is not trusted to stop itself.
A killed crawl leaves no half-written article because every batch is one transaction.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)

Outcome = Literal["ok", "failed", "timeout", "crashed", "stopped"]


@dataclass(frozen=True)
class ChildResult:
    outcome: Outcome
    seconds: float
    returncode: int | None
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # last lines of the child's stderr when it failed


@dataclass(frozen=True)
class ChildLimits:
    timeout: float
    memory_mb: int
    grace: float


class ChildRunner:
    """Starts crawl children one at a time and stops the running one on request."""

    def __init__(self, limits: ChildLimits, log_format: str, config_path: str | None) -> None:
        self.limits = limits
        self.log_format = log_format
        self.config_path = config_path
        self._stopping = threading.Event()
        self._one_at_a_time = threading.Lock()  # crawls write the same store: never two at once
        self.current_pid: int | None = None

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "scheduler.crawl_child", "--memory-mb", str(self.limits.memory_mb)]
        command += ["--log-format", self.log_format]
        return command + (["--config", self.config_path] if self.config_path else [])

    def stop(self) -> None:
        """Ask the running child (and any later one) to end: SIGTERM now, kill after the grace."""
        self._stopping.set()
        pid = self.current_pid
        if pid is not None:
            _signal_group(pid, signal.SIGTERM)

    def run(self, targets: Sequence[dict[str, Any]]) -> ChildResult:
        with self._one_at_a_time:
            if self._stopping.is_set():
                return ChildResult("stopped", 0.0, None)
            return self._run(targets)

    def _run(self, targets: Sequence[dict[str, Any]]) -> ChildResult:
        started = time.monotonic()
        child = subprocess.Popen(
            self.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            text=True,
        )
        self.current_pid = child.pid
        log.info("crawl child started", extra={"fields": {"pid": child.pid, "targets": len(targets)}})
        stderr_tail: list[str] = []
        reader = threading.Thread(target=_relay_stderr, args=(child, stderr_tail), daemon=True)
        reader.start()
        try:
            assert child.stdin is not None
            assert child.stdout is not None
            child.stdin.write(json.dumps(list(targets)))
            child.stdin.close()
            outcome = self._wait(child, started)
            # also when the child ended by itself: one killed from outside (OOM killer, kill -9)
            # leaves its extraction workers behind in its process group, holding its stdout open
            _signal_group(child.pid, signal.SIGKILL)
            output = child.stdout.read()
        finally:
            self.current_pid = None
            if child.poll() is None:
                _signal_group(child.pid, signal.SIGKILL)
                child.wait()
            reader.join(5)
        seconds = round(time.monotonic() - started, 2)
        summary = _summary(output) if child.returncode == 0 else {}
        if outcome is None:
            outcome = "ok" if summary else ("failed" if child.returncode == 1 else "crashed")
        error = None if outcome == "ok" else "\n".join(stderr_tail[-5:]) or None
        return ChildResult(outcome, seconds, child.returncode, summary, error)

    def _wait(self, child: subprocess.Popen[str], started: float) -> Outcome | None:
        """Wait for the child; None when it ended by itself, else why it was ended."""
        deadline = started + self.limits.timeout
        while True:
            if self._stopping.is_set():
                return self._stop_gracefully(child)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _signal_group(child.pid, signal.SIGKILL)
                child.wait()
                return "timeout"
            try:
                child.wait(min(remaining, 0.2))
                return None
            except subprocess.TimeoutExpired:
                continue

    def _stop_gracefully(self, child: subprocess.Popen[str]) -> Outcome | None:
        _signal_group(child.pid, signal.SIGTERM)
        try:
            child.wait(self.limits.grace)
        except subprocess.TimeoutExpired:
            _signal_group(child.pid, signal.SIGKILL)
            child.wait()
        return "stopped"


def _signal_group(pid: int, signum: int) -> None:
    """Signal the child and the processes it started (its extraction workers)."""
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


def _relay_stderr(child: subprocess.Popen[str], tail: list[str]) -> None:
    """Pass the child's log lines through to the daemon's stderr, keeping the last few."""
    assert child.stderr is not None
    for line in child.stderr:
        sys.stderr.write(line)
        tail.append(line.rstrip())
        del tail[:-20]


def _summary(output: str) -> dict[str, Any]:
    lines = output.strip().splitlines()
    try:
        return dict(json.loads(lines[-1])) if lines else {}
    except json.JSONDecodeError:
        return {}
