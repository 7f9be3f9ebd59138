"""The review UI in a real browser: headless Chromium drives `newsmon serve` as a reader would.

Open the list, search, filter, open an article with the keyboard, mark it irrelevant, find it in
the export; star with the keyboard; a title that is an XSS attempt stays text; the page works
without JavaScript and at phone width. Every request must stay on the server, no script may run
but the UI's own, and the Content-Security-Policy must not have to block anything. Screenshots
are kept as artifacts (tests/browser.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsmon.config import Config
from newsmon.store.db import Store
from newsmon.web import create_app
from tests.browser import artifacts_dir, headless_chromium
from tests.test_web import (  # noqa: F401  (fixtures)
    ARTICLES,
    HOSTILE_TITLE,
    TOPIC,
    corpus_fixture,
    filled_fixture,
    live_server,
)

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}


class Watched:
    """A page with everything that should not happen recorded: foreign requests, dialogs, errors."""

    def __init__(self, page: Any, origin: str) -> None:
        self.page = page
        self.foreign: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on(
            "request",
            lambda request: None if request.url.startswith(origin) else self.foreign.append(request.url),
        )
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console", lambda message: self.errors.append(message.text) if message.type == "error" else None
        )

    def assert_clean(self) -> None:
        assert (self.foreign, self.dialogs, self.errors) == ([], [], [])


@pytest.fixture
def server(filled: None, config: Config, store: Store) -> Iterator[str]:
    with live_server(create_app(config)) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Any]:
    with headless_chromium() as launched:
        yield launched


def _current_row(page: Any) -> str | None:
    return page.evaluate("() => document.querySelector('.article-row.current')?.id ?? null")


def test_review_flow(server: str, browser: Any, tmp_path: Path) -> None:
    shots = artifacts_dir(tmp_path)
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    watched = Watched(context.new_page(), server)
    page = watched.page

    page.goto(f"{server}/articles")
    assert page.locator(".article-row").count() == ARTICLES
    page.screenshot(path=str(shots / "web-list.png"), full_page=True)

    # search: "/" focuses the box, Enter submits; the matches are highlighted
    page.keyboard.press("/")
    page.keyboard.type("Huawei")
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles?q=Huawei")
    assert page.locator(".snippet mark").count() >= 1
    assert page.locator(".article-row .title").first.text_content() == HOSTILE_TITLE
    page.screenshot(path=str(shots / "web-search.png"), full_page=True)

    # filter: the topic and articles not yet judged
    page.select_option("select[name=topic]", TOPIC)
    page.select_option("select[name=relevance]", "unmarked")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"**/articles?q=Huawei&topic={TOPIC}*relevance=unmarked*")
    assert page.locator(".article-row").count() >= 1

    # open the first hit with the keyboard, judge it irrelevant with the button
    page.keyboard.press("j")
    assert _current_row(page) is not None
    row_id = _current_row(page)
    page.keyboard.press("o")
    page.wait_for_url(f"**/articles/{row_id[1:]}")
    assert page.locator("h1").text_content() == HOSTILE_TITLE
    irrelevant = page.locator("button[data-kind=irrelevant]")
    irrelevant.click()
    page.wait_for_function(
        "() => document.querySelector('button[data-kind=irrelevant]').getAttribute('aria-pressed') === 'true'"
    )
    page.reload()
    assert irrelevant.get_attribute("aria-pressed") == "true"  # stored, not only shown
    page.screenshot(path=str(shots / "web-article.png"), full_page=True)

    # it now leaves the "unmarked" filter and appears in the export of the irrelevant ones
    page.goto(f"{server}/articles?topic={TOPIC}&relevance=irrelevant")
    assert page.locator(".article-row .title").all_text_contents() == [HOSTILE_TITLE]
    with page.expect_download() as download:
        page.click("#export-json")
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [(row["id"], row["marks"]) for row in exported] == [(int(row_id[1:]), {TOPIC: False})]
    watched.assert_clean()


def test_keyboard_moves_and_stars(server: str, browser: Any, tmp_path: Path) -> None:
    watched = Watched(browser.new_page(viewport=DESKTOP), server)
    page = watched.page
    page.goto(f"{server}/articles")
    ids = page.eval_on_selector_all(".article-row", "rows => rows.map(row => row.id)")
    for key, expected in (("j", ids[0]), ("j", ids[1]), ("j", ids[2]), ("k", ids[1])):
        page.keyboard.press(key)
        assert _current_row(page) == expected
    page.keyboard.press("s")
    star = page.locator(f"#{ids[1]} button[data-kind=star]")
    page.wait_for_function(
        f"() => document.querySelector('#{ids[1]} button[data-kind=star]').getAttribute('aria-pressed') === 'true'"
    )
    page.keyboard.press("r")
    page.wait_for_function(f"() => document.querySelector('#{ids[1]}').classList.contains('is-read')")
    page.goto(f"{server}/articles?starred=true&read=true")
    assert page.eval_on_selector_all(".article-row", "rows => rows.map(row => row.id)") == [ids[1]]
    assert star.get_attribute("aria-pressed") == "true"
    page.screenshot(path=str(artifacts_dir(tmp_path) / "web-keyboard.png"), full_page=True)
    # on an article's page the keys act on the article
    page.goto(f"{server}/articles/{ids[0][1:]}")
    page.keyboard.press("s")
    page.wait_for_function(
        "() => document.querySelector('button[data-kind=star]').getAttribute('aria-pressed') === 'true'"
    )
    page.reload()
    assert page.locator("button[data-kind=star]").get_attribute("aria-pressed") == "true"
    watched.assert_clean()


def test_hostile_title_is_text(server: str, browser: Any) -> None:
    watched = Watched(browser.new_page(viewport=DESKTOP), server)
    page = watched.page
    for path in ("/articles", "/articles?q=Huawei"):
        page.goto(server + path)
        assert HOSTILE_TITLE in page.locator(".article-row .title").all_text_contents()
        assert page.evaluate("() => document.scripts.length") == 1  # the UI's own, nothing injected
        assert page.locator("img").count() == 0
    page.click(f"text={HOSTILE_TITLE}")
    assert page.locator("h1").text_content() == HOSTILE_TITLE
    assert page.title() == f"{HOSTILE_TITLE} · newsmon"
    watched.assert_clean()  # no alert() ran, no <img onerror>, nothing blocked by the CSP


def test_works_without_javascript_and_at_phone_width(server: str, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, is_mobile=True)
    watched = Watched(context.new_page(), server)
    page = watched.page
    page.goto(f"{server}/articles?language=en")
    page.click("button[data-kind=read]")  # a plain form post, answered by a redirect back
    page.wait_for_url("**/articles?language=en")
    assert page.locator("button[data-kind=read]").text_content() == "Read ✓"
    assert (
        page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    )  # no sideways scrolling
    page.screenshot(path=str(artifacts_dir(tmp_path) / "web-phone.png"), full_page=True)
    page.goto(server + page.locator(".article-row .title").first.get_attribute("href"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts_dir(tmp_path) / "web-phone-article.png"), full_page=True)
    watched.assert_clean()
