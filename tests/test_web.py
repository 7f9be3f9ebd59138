"""`newsmon serve`: the review UI and its JSON API, over HTTP against a real uvicorn on 127.0.0.1.

The store is filled through `newsmon import` (the seed texts, an English article from another
source and an HTML page whose title is an XSS attempt) on SQLite and PostgreSQL. Requests go
through ``requests`` with a cookie session, as a browser's would. The fixtures here (``site``,
``live_server``, the corpus) are shared by the browser and OpenAPI tests.
"""

from __future__ import annotations

import logging
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text

from newsmon.config import Config, load_config
from newsmon.errors import ConfigError
from newsmon.store.db import Store
from newsmon.web import create_app
from newsmon.web.templating import highlight
from tests.conftest import ROOT, Cli

TOPIC = "ki-wettlauf-usa-china"
HOSTILE_TITLE = '<script>alert("owned")</script> "><img src=x onerror=alert(1)> Huawei fordert Nvidia heraus'
ENGLISH_TITLE = "Chip export rules tighten as DeepSeek trains new model"
HOSTILE_HTML = """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>&lt;script&gt;alert("owned")&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; Huawei fordert
 Nvidia heraus</title>
<meta property="article:published_time" content="2026-01-14T09:30:00+01:00"></head>
<body><article><h1>&lt;script&gt;alert("owned")&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; Huawei
 fordert Nvidia heraus</h1>
<p>Berlin – Der Wettbewerb um Rechenleistung zwischen den USA und China geht in eine neue Runde. Huawei
stellt mit dem Ascend 910C einen Beschleuniger vor, der nach Angaben des Herstellers mit Nvidias H200
mithalten soll.</p>
<p>Exportkontrollen der USA sollen verhindern, dass chinesische Labore die schnellsten Chips bekommen.
Analysten in München und Peking erwarten, dass die Nachfrage nach KI-Chips weiter steigt, während die
Regierung in Washington neue Regeln für Rechenzentren vorbereitet. &lt;script&gt;alert("text")&lt;/script&gt;</p>
</article></body></html>
"""
ENGLISH_TXT = f"""{ENGLISH_TITLE}

The United States expanded its export controls on advanced semiconductors on Thursday, a move aimed at
slowing the progress of Chinese artificial intelligence labs. DeepSeek, the Hangzhou start-up behind a
popular open weight model, is said to be training its next model on domestic accelerators. Analysts say
the rules will raise costs for data centres across Asia, while Nvidia warned that sales to the region
could fall further this year.
"""
OFF_TOPIC_TXT = """Hochwasser an der Elbe: Dresden bereitet sich auf steigende Pegel vor

Nach tagelangem Regen im Erzgebirge steigt der Pegel der Elbe in Dresden weiter an. Die Stadt hat
mobile Schutzwände an der Altstadt aufgebaut, Feuerwehr und Technisches Hilfswerk füllen Sandsäcke.
Der Wetterdienst erwartet erst zum Wochenende trockeneres Wetter. Anwohner in Laubegast und Pieschen
sollen Keller räumen und Fahrzeuge aus tief gelegenen Straßen holen, bis die Lage sich entspannt.
"""
ARTICLES = 8  # five seeds, the hostile page, the English article, the flood report


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free port of 127.0.0.1; yields its base URL."""
    listener = socket.socket()
    # accepted connections inherit it; asyncio sets it only on sockets it creates itself, and
    # without it every small answer on a kept-alive connection waits ~40 ms for a delayed ACK
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)
        listener.close()


@dataclass
class Site:
    """A running review UI over a filled store, with a browser-like session."""

    url: str
    store: Store
    session: requests.Session

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.url + path, allow_redirects=False, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(self.url + path, allow_redirects=False, timeout=30, **kwargs)

    def api(self, path: str) -> Any:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        return response.json()

    def csrf_token(self) -> str:
        page = self.get("/articles").text
        match = re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', page)
        assert match, "the page carries no CSRF token"
        return match[1]

    def article_id(self, title: str) -> int:
        items = self.api("/api/articles?limit=500")["items"]
        return next(item["id"] for item in items if item["title"] == title)


@pytest.fixture(name="corpus")
def corpus_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "hostile.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (folder / "english.txt").write_text(ENGLISH_TXT, encoding="utf-8")
    (folder / "flood.txt").write_text(OFF_TOPIC_TXT, encoding="utf-8")
    return folder


@pytest.fixture(name="filled")
def filled_fixture(cli: Cli, seeds_dir: Path, corpus: Path) -> None:
    """The seeds, the hostile page and the flood report under `import`, the English article under `wire`."""
    cli("import", str(seeds_dir), str(corpus / "hostile.html"), str(corpus / "flood.txt"))
    cli("import", "--source", "wire", str(corpus / "english.txt"))


@pytest.fixture
def site(filled: None, config: Config, store: Store) -> Iterator[Site]:
    with live_server(create_app(config)) as url:
        yield Site(url, store, requests.Session())


def _titles(page: dict[str, Any]) -> list[str]:
    return [item["title"] for item in page["items"]]


# --- pages and API ------------------------------------------------------------------------------


def test_pages_and_api_answer(site: Site) -> None:
    articles = site.api("/api/articles?limit=500")
    assert len(articles["items"]) == ARTICLES
    first = articles["items"][0]["id"]
    story = site.api(f"/api/articles/{first}")["story_id"]
    for path in ("/articles", f"/articles/{first}", "/stories", f"/stories/{story}", "/sources", "/digests"):
        response = site.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "<h1>" in response.text or 'class="articles"' in response.text
    assert site.get("/").headers["location"] == "/articles"
    detail = site.api(f"/api/articles/{first}")
    assert detail["text"]
    assert detail["aliases"]
    assert detail["content_hash"]
    assert set(detail["topic_scores"]) == {TOPIC}
    assert site.api(f"/api/stories/{story}")["articles"]
    assert {row["name"] for row in site.api("/api/sources")} == {"import", "wire"}
    assert [topic["name"] for topic in site.api("/api/topics")] == [TOPIC]
    assert site.api("/api/digests") == []
    assert site.get("/articles/999999").status_code == 404
    assert site.get("/api/stories/999999").json() == {"detail": "no story #999999"}


def test_article_page_shows_text_metadata_topic_explanation_and_story(site: Site) -> None:
    seed = site.api("/api/articles?since=2026-01-16&until=2026-01-16")["items"]
    assert len(seed) == 2
    assert seed[0]["story_id"] == seed[1]["story_id"]
    detail = site.api(f"/api/articles/{seed[0]['id']}")
    page = site.get(f"/articles/{seed[0]['id']}").text
    assert f'href="{detail["url"]}"' in page  # the original
    assert detail["date_origin"]
    assert detail["date_origin"] in page
    explanation = detail["topic_scores"][TOPIC]["explanation"]
    strongest = max(explanation, key=lambda item: item["contribution"])
    assert f"<td>{strongest['term']}</td>" in page
    story = site.api(f"/api/stories/{seed[0]['story_id']}")["articles"]
    others = [other["id"] for other in detail["story_articles"]]
    assert seed[1]["id"] in others
    assert others == [row["id"] for row in story if row["id"] != seed[0]["id"]]
    assert f'href="/articles/{seed[1]["id"]}"' in page
    first_paragraph = detail["text"].split("\n")[0]
    assert first_paragraph[:40] in page


def test_filters_select_the_right_articles(site: Site) -> None:
    everything = site.api("/api/articles?limit=500")["items"]
    assert _titles(site.api("/api/articles?language=en")) == [ENGLISH_TITLE]
    assert _titles(site.api("/api/articles?source=wire")) == [ENGLISH_TITLE]
    assert len(site.api("/api/articles?source=import&limit=500")["items"]) == ARTICLES - 1
    recent = site.api("/api/articles?since=2026-01-15")["items"]
    assert {item["published_at"][:10] for item in recent} == {"2026-01-16"}
    assert len(recent) == 2
    older = site.api("/api/articles?until=2026-01-15")["items"]
    assert HOSTILE_TITLE in _titles({"items": older})
    assert all(item["published_at"] for item in older)
    # the topic filter keeps exactly the articles whose stored verdict is relevant
    relevant = {item["id"] for item in site.api(f"/api/articles?topic={TOPIC}&limit=500")["items"]}
    verdicts = {
        item["id"]: site.api(f"/api/articles/{item['id']}")["topic_scores"][TOPIC]["relevant"]
        for item in everything
    }
    assert relevant == {article_id for article_id, good in verdicts.items() if good}
    assert 0 < len(relevant) < len(everything)
    # blank form fields are no filter
    page = site.get("/articles?q=&topic=&source=&language=&since=&until=&read=&starred=&relevance=")
    assert page.status_code == 200
    assert page.text.count('class="article-row') == ARTICLES
    english = site.get("/articles?language=en").text
    assert ENGLISH_TITLE in english
    assert "Huawei fordert" not in english
    assert site.get("/articles?since=yesterday").status_code == 400
    form = site.get("/articles?read=false&starred=true").text  # the form shows the filters in force
    assert '<option value="false" selected>unread</option>' in form
    assert '<option value="true" selected>starred</option>' in form


def test_paging_walks_every_article_once(site: Site) -> None:
    everything = [item["id"] for item in site.api("/api/articles?limit=500")["items"]]
    seen, offset = [], 0
    while offset is not None:
        page = site.api(f"/api/articles?limit=3&offset={offset}")
        seen += [item["id"] for item in page["items"]]
        offset = page["next_offset"]
    assert seen == everything
    html = site.get("/articles?limit=3&offset=3").text
    assert 'rel="prev" href="/articles?limit=3"' in html
    assert 'rel="next" href="/articles?limit=3&amp;offset=6"' in html


def test_search_ranks_and_highlights(site: Site) -> None:
    hits = site.api("/api/articles?q=Huawei")
    assert hits["total"] == len(hits["items"]) >= 1
    assert hits["items"][0]["title"] == HOSTILE_TITLE  # the title match first
    assert all("\x02" in item["snippet"] for item in hits["items"])
    page = site.get("/articles?q=Huawei").text
    assert re.search(r"<mark>Huawei</mark>", page, re.IGNORECASE)
    assert f"{hits['total']} match" in page
    refused = site.get("/articles?q=%22unclosed")
    assert refused.status_code == 400
    assert "Traceback" not in refused.text
    assert site.get("/api/articles?q=%22unclosed").status_code == 400


# --- actions and CSRF ---------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused(site: Site) -> None:
    article = site.article_id(ENGLISH_TITLE)
    token = site.csrf_token()
    without = site.post(f"/articles/{article}/star", data={"value": "true"})
    assert without.status_code == 403
    wrong = site.post(f"/articles/{article}/star", data={"value": "true", "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    # a token is only good with the session cookie it was made for
    stranger = requests.post(
        f"{site.url}/articles/{article}/star",
        data={"value": "true", "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert stranger.status_code == 403
    other_session = requests.Session()
    other_session.get(f"{site.url}/articles", timeout=30)
    borrowed = other_session.post(
        f"{site.url}/articles/{article}/read",
        headers={"X-CSRF-Token": token},
        data={"value": "true"},
        timeout=30,
    )
    assert borrowed.status_code == 403
    relevance = site.post(f"/articles/{article}/relevance", data={"topic": TOPIC, "value": "false"})
    assert relevance.status_code == 403
    state = site.api(f"/api/articles/{article}")
    assert (state["starred"], state["read"], state["marks"]) == (False, False, {})


def test_actions_with_csrf_token_change_marks_and_filters(site: Site) -> None:
    token = site.csrf_token()
    english, hostile = site.article_id(ENGLISH_TITLE), site.article_id(HOSTILE_TITLE)
    starred = site.post(
        f"/articles/{english}/star",
        data={"value": "true", "csrf_token": token, "next": "/articles?language=en"},
    )
    assert (starred.status_code, starred.headers["location"]) == (303, "/articles?language=en")
    read = site.post(
        f"/articles/{hostile}/read",
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
        data={"value": "true"},
    )
    assert read.status_code == 200
    assert read.json()["read"] is True
    marked = site.post(
        f"/articles/{hostile}/relevance",
        data={"topic": TOPIC, "value": "false", "csrf_token": token, "next": "//evil.example/"},
    )
    assert (marked.status_code, marked.headers["location"]) == (
        303,
        f"/articles/{hostile}",
    )  # no open redirect

    assert _titles(site.api("/api/articles?starred=true")) == [ENGLISH_TITLE]
    assert ENGLISH_TITLE not in _titles(site.api("/api/articles?starred=false&limit=500"))
    assert _titles(site.api("/api/articles?read=true")) == [HOSTILE_TITLE]
    assert len(site.api("/api/articles?read=false&limit=500")["items"]) == ARTICLES - 1
    assert _titles(site.api(f"/api/articles?relevance=irrelevant&topic={TOPIC}")) == [HOSTILE_TITLE]
    assert HOSTILE_TITLE not in _titles(site.api("/api/articles?relevance=unmarked&limit=500"))
    assert site.api(f"/api/articles/{hostile}")["marks"] == {TOPIC: False}
    page = site.get("/articles?starred=true").text
    assert 'data-kind="star" aria-pressed="true"' in page

    unstar = site.post(f"/articles/{english}/star", data={"value": "false", "csrf_token": token})
    assert unstar.status_code == 303
    assert site.api("/api/articles?starred=true")["items"] == []
    unknown_topic = site.post(
        f"/articles/{english}/relevance", data={"topic": "nope", "value": "true", "csrf_token": token}
    )
    assert unknown_topic.status_code == 400
    assert site.post("/articles/999999/read", data={"value": "true", "csrf_token": token}).status_code == 404


def test_export_carries_the_filter_and_the_marks(site: Site) -> None:
    token = site.csrf_token()
    hostile = site.article_id(HOSTILE_TITLE)
    site.post(f"/articles/{hostile}/relevance", data={"topic": TOPIC, "value": "false", "csrf_token": token})
    csv_text = site.get(f"/export?format=csv&topic={TOPIC}").text
    lines = csv_text.strip().splitlines()
    assert lines[0] == "id,title,url,source,published_at,date_precision,language,story_id,read,starred,marks"
    listed = site.api(f"/api/articles?topic={TOPIC}&limit=500")["items"]
    assert len(lines) - 1 == len(listed)
    assert f"{TOPIC}=irrelevant" in csv_text
    exported = site.get("/export?format=json&language=de").json()
    assert [row["id"] for row in exported] == [
        item["id"] for item in site.api("/api/articles?language=de")["items"]
    ]
    assert next(row for row in exported if row["id"] == hostile)["marks"] == {TOPIC: False}
    assert site.get("/export?format=json&q=%22unclosed").status_code == 400


# --- escaping, errors, exposure -------------------------------------------------------------------


def test_hostile_title_renders_as_text(site: Site) -> None:
    hostile = site.article_id(HOSTILE_TITLE)
    escaped = "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;"
    for path in (
        "/articles",
        f"/articles/{hostile}",
        "/articles?q=Huawei",
        f"/stories/{site.api(f'/api/articles/{hostile}')['story_id']}",
    ):
        page = site.get(path).text
        assert "<script>alert" not in page, path
        assert "<img src=x" not in page, path
        assert escaped in page, path
    assert "alert(&#34;text&#34;)" in site.get(f"/articles/{hostile}").text  # in the text too
    assert site.api(f"/api/articles/{hostile}")["title"] == HOSTILE_TITLE  # JSON carries it unchanged


def test_snippets_are_escaped_before_matches_are_marked() -> None:
    snippet = 'a <img src=x onerror="alert(1)"> \x02Huawei\x03 & \x02<b>\x03'
    assert str(highlight(snippet)) == (
        "a &lt;img src=x onerror=&#34;alert(1)&#34;&gt; <mark>Huawei</mark> &amp; <mark>&lt;b&gt;</mark>"
    )
    assert str(highlight(None)) == ""


def test_security_headers(site: Site) -> None:
    response = site.get("/articles")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert site.get("/docs").status_code == 404  # the Swagger page would load scripts from a CDN


def test_errors_give_no_stack_trace(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    with site.store.engine.begin() as connection:  # a store broken under the running server
        connection.execute(text("ALTER TABLE article_marks RENAME TO article_marks_gone"))
    with caplog.at_level(logging.ERROR, logger="newsmon.web"):
        page = site.get("/articles")
        api = site.get("/api/articles")
    assert page.status_code == 500
    assert api.status_code == 500
    assert "internal error" in page.text
    assert api.json() == {"detail": "internal error: the details are in the server's log"}
    for body in (page.text, api.text):
        assert "Traceback" not in body
        assert "article_marks" not in body
        assert "sqlalchemy" not in body.lower()
    assert "GET /articles failed" in caplog.text
    assert "article_marks" in caplog.text
    assert page.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_host_header_must_name_loopback(site: Site) -> None:
    assert site.get("/articles", headers={"Host": "attacker.example"}).status_code == 421
    assert site.get("/api/topics", headers={"Host": "rebound.attacker.example:8040"}).status_code == 421
    port = site.url.rsplit(":", 1)[1]
    assert site.get("/api/topics", headers={"Host": f"localhost:{port}"}).status_code == 200
    assert site.get("/api/topics", headers={"Host": f"[::1]:{port}"}).status_code == 200


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_token_is_required_when_configured(filled: None, env: dict[str, str]) -> None:
    token = "k3y-" + "x" * 28
    config = load_config(None, env={**env, "NEWSMON_SERVE__TOKEN": token}).config
    with live_server(create_app(config, host="0.0.0.0")) as url:
        assert requests.get(f"{url}/api/topics", timeout=30).status_code == 401
        assert (
            requests.get(f"{url}/articles", timeout=30).headers["www-authenticate"] == 'Basic realm="newsmon"'
        )
        assert requests.get(f"{url}/api/topics", auth=("me", "wrong" * 5), timeout=30).status_code == 401
        assert requests.get(f"{url}/api/topics", auth=("me", token), timeout=30).status_code == 200
        bearer = {"Authorization": f"Bearer {token}"}
        assert requests.get(f"{url}/api/topics", headers=bearer, timeout=30).status_code == 200
        # not bound to loopback: any Host is fine, the token is the guard
        assert requests.get(f"{url}/api/topics", headers={**bearer, "Host": "newsmon.lan"}, timeout=30).ok


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_serve_refuses_public_host_without_token(cli: Cli) -> None:
    refused = cli("serve", "--host", "0.0.0.0", expect=1)
    assert refused.output.strip().splitlines() == [
        "Error: refusing to listen on 0.0.0.0 without an access token: set NEWSMON_SERVE__TOKEN "
        "or keep the default --host 127.0.0.1"
    ]
    short = Cli({**cli.env, "NEWSMON_SERVE__TOKEN": "short"})("serve", "--host", "0.0.0.0", expect=1)
    assert "shorter than 16 characters" in short.output
    assert "short\n" not in short.output


def test_token_is_read_only_from_the_environment(tmp_path: Path) -> None:
    config_file = tmp_path / "newsmon.toml"
    config_file.write_text('[serve]\ntoken = "written-down-where-backups-find-it"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(config_file, env={})
    assert str(refused.value) == (
        f"serve.token in {config_file}: secrets are read only from the environment (NEWSMON_SERVE__TOKEN)"
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_serve_command_serves_on_loopback(filled: None, env: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.crawl_helpers", "serve", "--port", str(port)],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/api/topics", timeout=5)
                break
            except requests.ConnectionError:
                assert child.poll() is None, "newsmon serve ended before it answered"
                assert time.monotonic() < deadline, "newsmon serve did not answer within 30 s"
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json()[0]["name"] == TOPIC
    finally:
        child.terminate()
        _, errors = child.communicate(timeout=30)
    assert f"newsmon review UI on http://127.0.0.1:{port}/" in errors


def test_digest_archive(cli: Cli, site: Site) -> None:
    cli("digest", "--topic", TOPIC, "--week", "2026-W03")
    digests = site.api("/api/digests")
    assert [(digest["topic"], digest["iso_week"]) for digest in digests] == [(TOPIC, "2026-W03")]
    listing = site.get("/digests").text
    assert f'href="/digests/{digests[0]["id"]}"' in listing
    page = site.get(f"/digests/{digests[0]['id']}").text
    assert f'<iframe class="mail" src="/digests/{digests[0]["id"]}/mail" sandbox' in page
    mail = site.get(f"/digests/{digests[0]['id']}/mail")
    assert mail.status_code == 200
    assert digests[0]["subject"].split()[0] in mail.text
    assert "frame-ancestors 'self'" in mail.headers["content-security-policy"]
    assert "script-src" not in mail.headers["content-security-policy"]
    assert "data:image/png;base64," in mail.text  # the chart travels inside the page
    assert site.get(f"/topics/{TOPIC}?week=2026-W99").status_code == 400
    week = site.get(f"/topics/{TOPIC}?week=2026-W03")
    assert week.headers["location"] == f"/articles?since=2026-01-12&until=2026-01-18&topic={TOPIC}"
