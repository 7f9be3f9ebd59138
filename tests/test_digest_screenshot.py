"""The digest HTML in a real browser: headless Chromium (Debian's) takes a screenshot a person can look at.

The PNG is kept as a test artifact (see tests/browser.py) and its path printed. Every request the
page makes is recorded, and only ``data:`` URLs are allowed.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from newsmon.config import Config
from newsmon.store.db import Store
from reports.archive import browser_html
from reports.job import render_week
from reports.settings import DigestSettings
from tests.browser import artifacts_dir, headless_chromium
from tests.test_digest_data import (
    JOB_NOW,
    WEEK,
    Planted,
    fixture_profile,
    week_fixture,  # noqa: F401  (the week fixture)
)

VIEWPORT = {"width": 720, "height": 900}


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_digest_screenshot_in_headless_chromium(
    store: Store, config: Config, week: dict[str, Planted], tmp_path: Path, language: str
) -> None:
    digest, _ = render_week(store, config, DigestSettings(), fixture_profile(), WEEK, JOB_NOW, language)
    assert digest.chart is not None
    chart = "data:image/png;base64," + base64.b64encode(digest.chart).decode("ascii")
    html = browser_html(digest, chart)
    target = artifacts_dir(tmp_path) / f"digest-{digest.topic}-{digest.iso_week}-{language}.png"

    requests: list[str] = []
    with headless_chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT)
        page.on("request", lambda request: requests.append(request.url))
        page.set_content(html, wait_until="load")
        layout = page.evaluate(
            """() => ({
                chartWidth: document.querySelector('img').naturalWidth,
                pageWidth: document.querySelector('table.page').getBoundingClientRect().width,
                scripts: document.scripts.length,
                stylesheets: document.styleSheets.length,
                title: document.title,
            })"""
        )
        page.screenshot(path=str(target), full_page=True)

    print(f"digest screenshot: {target}")
    assert [url for url in requests if not url.startswith("data:")] == []
    assert layout["chartWidth"] > 0  # the chart decoded and loaded
    assert layout["pageWidth"] == 640
    assert (layout["scripts"], layout["stylesheets"]) == (0, 0)
    assert layout["title"] == digest.subject
    png = target.read_bytes()
    assert png.startswith(b"\x89PNG")
    assert len(png) > 20_000  # a page with text and a chart, not a blank
