"""Headless Chromium (Debian's, driven by Playwright) for the tests that look at pages in a browser.

Chromium runs without sandbox (containers) and without background networking. Without Chromium
or Playwright the test is skipped with the reason; under CI=true it fails, because CI must run
the browser tests. Screenshots go to ``$TEST_ARTIFACTS_DIR`` (else the test's tmp_path).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import IN_CI

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking"]


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def artifacts_dir(tmp_path: Path) -> Path:
    # not a NEWSMON_* name: the configuration refuses unknown NEWSMON_* variables (typos)
    folder = Path(os.environ.get("TEST_ARTIFACTS_DIR") or tmp_path / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def headless_chromium() -> Iterator[Browser]:
    """A launched headless Chromium, closed on leaving."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _missing(f"Playwright is not installed: {exc}")
    executable = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    if executable is None:
        _missing(f"Chromium not found at {CHROMIUM} (Debian package 'chromium')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
