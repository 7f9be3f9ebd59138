"""Sources as data: the shipped list, its validation, and the registry in the store (newsmon.sources)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from newsmon.config import Config
from newsmon.ingest import Ingestor
from newsmon.sources import SourceError, SourceSpec, load_sources, open_registry, shipped_sources_file
from newsmon.store.db import Store
from newsmon.store.models import Source
from tests.conftest import ROOT, Cli

GOOD = """
[[source]]
name = "beispiel-news"
outlet = "Beispiel"
kind = "feed"
url = "https://www.beispiel.de/feed.xml"
"""


def _spec(name: str, **fields: object) -> SourceSpec:
    return SourceSpec.model_validate(
        {
            "name": name,
            "outlet": "Beispiel",
            "kind": "feed",
            "url": f"https://beispiel.de/{name}.xml",
            **fields,
        }
    )


def _listed(cli: Cli, *options: str) -> dict[str, dict[str, object]]:
    return {entry["name"]: entry for entry in json.loads(cli("sources", "list", "--json", *options).output)}


# --- the shipped file ---------------------------------------------------------------------------


def test_shipped_file_is_the_one_in_seeds() -> None:
    assert shipped_sources_file().resolve() == (ROOT / "seeds" / "sources.toml").resolve()


def test_shipped_file_loads_with_enough_outlets_and_every_kind() -> None:
    sources = load_sources()
    names = [source.name for source in sources]
    assert len(names) == len(set(names))
    assert {source.kind for source in sources} == {"feed", "sitemap", "search"}
    outlets = {source.outlet for source in sources if source.kind != "search"}
    assert len(outlets) >= 30
    assert {source.language for source in sources} == {"de"}
    assert all(
        source.url and source.url.startswith("https://") for source in sources if source.kind != "search"
    )
    assert any(not source.verified for source in sources)
    for source in sources:
        if source.kind == "search":
            url = source.search_url("Huawei Ascend & KI")
            assert "Huawei%20Ascend%20%26%20KI" in url
            assert " " not in url
            assert "{query}" not in url


def test_search_url_fills_the_template_url_encoded() -> None:
    search = SourceSpec(
        name="suche", outlet="Suche", kind="search", url_template="https://suche.de/rss?q={query}&hl=de"
    )
    assert search.search_url("Zölle/USA") == "https://suche.de/rss?q=Z%C3%B6lle%2FUSA&hl=de"
    with pytest.raises(ValueError, match="not a search"):
        _spec("feed-only").search_url("x")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            'kind = "rss"',
            "source 'beispiel-news': kind = 'rss': Input should be 'feed', 'sitemap' or 'search'",
        ),
        (
            'url = "ftp://www.beispiel.de/feed.xml"',
            "source 'beispiel-news': url = 'ftp://www.beispiel.de/feed.xml': must be an http or https URL",
        ),
        ('url = "https:///feed.xml"', "source 'beispiel-news': url = 'https:///feed.xml': must be an http"),
        ('enabled = "yes"', "source 'beispiel-news': enabled = 'yes': Input should be a valid boolean"),
        ("lastmod_days = 2", "source 'beispiel-news': lastmod_days applies to sitemap sources only"),
        ('url_pattern = "(wirtschaft"', "source 'beispiel-news': url_pattern = '(wirtschaft': not a regular"),
        ('colour = "blue"', "source 'beispiel-news': unknown key colour"),
        ('name = "Beispiel News"', "source 'Beispiel News': name = 'Beispiel News': must be lower-case"),
    ],
)
def test_a_wrong_key_is_one_line_naming_file_source_and_key(
    tmp_path: Path, entry: str, expected: str
) -> None:
    file = tmp_path / "sources.toml"
    key = entry.split(" = ")[0]
    lines = [line for line in GOOD.splitlines() if not line.startswith(f"{key} =")]
    file.write_text("\n".join([*lines, entry]) + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as error:
        load_sources(file)
    assert str(error.value).startswith(f"{file}: {expected}")
    assert "\n" not in str(error.value)


def test_search_source_needs_query_placeholder(tmp_path: Path) -> None:
    file = tmp_path / "sources.toml"
    file.write_text(
        '[[source]]\nname = "suche"\noutlet = "Suche"\nkind = "search"\n'
        'url_template = "https://suche.de/rss?q=fest"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        SourceError,
        match=r"source 'suche': url_template = 'https://suche.de/rss\?q=fest': must contain \{query\}",
    ):
        load_sources(file)


def test_kind_and_address_must_agree(tmp_path: Path) -> None:
    file = tmp_path / "sources.toml"
    file.write_text(GOOD.replace('kind = "feed"', 'kind = "search"'), encoding="utf-8")
    with pytest.raises(
        SourceError, match="source 'beispiel-news': a search source needs url_template and no url"
    ):
        load_sources(file)


def test_duplicate_names_and_every_other_problem_in_one_error(tmp_path: Path) -> None:
    file = tmp_path / "sources.toml"
    missing_outlet = '[[source]]\nname = "ohne-outlet"\nkind = "feed"\nurl = "https://x.de/feed"\n'
    file.write_text(GOOD + GOOD + missing_outlet, encoding="utf-8")
    with pytest.raises(SourceError) as error:
        load_sources(file)
    assert str(error.value).splitlines() == [
        f"{file}: source 'ohne-outlet': key outlet is missing",
        f"{file}: source 'beispiel-news': name is used by another source",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[[source]\n", "is not valid TOML"),
        ("", "no [[source]] tables"),
        ('[[sources]]\nname = "x"\n', "unknown key sources"),
        ("[[source]]\n", "source #1: key name is missing"),
    ],
)
def test_broken_files_are_named(tmp_path: Path, content: str, expected: str) -> None:
    file = tmp_path / "sources.toml"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError, match=str(file)) as error:
        load_sources(file)
    assert expected in str(error.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=f"sources file {tmp_path / 'none.toml'} does not exist"):
        load_sources(tmp_path / "none.toml")


# --- the registry in the store ------------------------------------------------------------------


def test_add_list_disable_enable_remove_round_trip(cli: Cli) -> None:
    shipped = {source.name for source in load_sources() if source.enabled}
    assert set(_listed(cli)) == shipped
    added = cli("sources", "add", "eigenes-blog", "https://blog.beispiel.de/feed.xml", "--kind", "feed")
    assert added.output == "added eigenes-blog (feed, https://blog.beispiel.de/feed.xml)\n"
    cli("sources", "add", "eigene-suche", "https://suche.beispiel.de/?q={query}", "--kind", "search")
    assert _listed(cli)["eigenes-blog"] == {
        "name": "eigenes-blog",
        "outlet": "blog.beispiel.de",
        "kind": "feed",
        "url": "https://blog.beispiel.de/feed.xml",
        "url_template": None,
        "language": "de",
        "enabled": True,
        "verified": True,
        "url_pattern": None,
        "lastmod_days": None,
        "origin": "user",
    }
    assert _listed(cli)["eigene-suche"]["url_template"] == "https://suche.beispiel.de/?q={query}"

    assert cli("sources", "disable", "eigenes-blog").output == "eigenes-blog disabled\n"
    assert "eigenes-blog" not in _listed(cli)
    assert _listed(cli, "--all")["eigenes-blog"]["enabled"] is False
    cli("sources", "enable", "eigenes-blog")
    assert _listed(cli)["eigenes-blog"]["enabled"] is True

    assert cli("sources", "remove", "eigenes-blog").output == "removed eigenes-blog\n"
    assert "eigenes-blog" not in _listed(cli, "--all")
    assert "no source named 'eigenes-blog'" in cli("sources", "remove", "eigenes-blog", expect=1).output


def test_add_refuses_bad_input_and_taken_names(cli: Cli) -> None:
    bad_scheme = cli("sources", "add", "x", "ftp://beispiel.de/feed", "--kind", "feed", expect=1).output
    assert bad_scheme == (
        "Error: command line: source 'x': url = 'ftp://beispiel.de/feed': must be an http or https URL with a host\n"
    )
    no_query = cli("sources", "add", "s", "https://suche.de/?q=x", "--kind", "search", expect=1).output
    assert "url_template = 'https://suche.de/?q=x': must contain {query}" in no_query
    assert (
        "--kind" in cli("sources", "add", "x", "https://beispiel.de/feed", "--kind", "rss", expect=2).output
    )
    taken = cli("sources", "add", "heise-news", "https://beispiel.de/feed", "--kind", "feed", expect=1).output
    assert taken == "Error: a shipped source named heise-news exists already; choose another name\n"


def test_shipped_source_cannot_be_removed_only_disabled(cli: Cli) -> None:
    result = cli("sources", "remove", "heise-news", expect=1)
    assert result.output == (
        "Error: heise-news is shipped with newsmon and cannot be removed; "
        "`newsmon sources disable heise-news` stops it\n"
    )
    assert _listed(cli)["heise-news"]["origin"] == "shipped"


def test_disabled_shipped_source_stays_disabled_after_resync(cli: Cli, store: Store) -> None:
    cli("sources", "disable", "heise-news")
    changed = [
        source.model_copy(update={"url": "https://www.heise.de/rss/neu.xml"})
        if source.name == "heise-news"
        else source
        for source in load_sources()
    ]
    registry = open_registry(store, changed)
    (heise,) = [
        source for source in registry.sources(include_disabled=True) if source.spec.name == "heise-news"
    ]
    assert heise.spec.enabled is False
    assert heise.spec.url == "https://www.heise.de/rss/neu.xml"  # the file still owns the declaration
    assert _listed(cli, "--all")["heise-news"]["enabled"] is False
    assert "heise-news" not in _listed(cli)


def test_shipped_enabled_false_is_the_default_until_the_user_decides(cli: Cli) -> None:
    assert _listed(cli, "--all")["bing-news-de"]["enabled"] is False
    cli("sources", "enable", "bing-news-de")
    assert _listed(cli)["bing-news-de"]["enabled"] is True


def test_user_sources_survive_updates_of_the_shipped_list(store: Store) -> None:
    open_registry(store, [_spec("alt")]).add(_spec("eigen"))
    registry = open_registry(store, [_spec("neu"), _spec("eigen", url="https://beispiel.de/anders.xml")])
    sources = {source.spec.name: source for source in registry.sources(include_disabled=True)}
    assert set(sources) == {"neu", "eigen"}  # "alt" left the list: no longer crawled
    assert sources["eigen"].origin == "user"
    assert sources["eigen"].spec.url == "https://beispiel.de/eigen.xml"  # the user's declaration wins
    with store.engine.connect() as connection:
        assert connection.scalar(select(Source.origin).where(Source.name == "alt")) == "import"
    registry = open_registry(store, [_spec("alt")])
    assert [source.spec.name for source in registry.sources()] == ["alt", "eigen"]


def test_import_names_become_sources_and_keep_their_documents(cli: Cli, store: Store, config: Config) -> None:
    Ingestor(store, config).reject("file:///tmp/kaputt.txt", "eigenes-archiv", "not UTF-8")
    assert "eigenes-archiv" not in _listed(cli, "--all")
    cli("sources", "add", "eigenes-archiv", "https://archiv.beispiel.de/sitemap.xml", "--kind", "sitemap")
    assert _listed(cli)["eigenes-archiv"]["origin"] == "user"
    output = cli("sources", "remove", "eigenes-archiv").output
    assert output == "removed eigenes-archiv from the crawl; stored documents keep it as their source name\n"
    assert "eigenes-archiv" not in _listed(cli, "--all")
    with store.engine.connect() as connection:
        assert connection.scalar(select(Source.origin).where(Source.name == "eigenes-archiv")) == "import"


def test_check_reports_the_last_result_of_every_source(cli: Cli, store: Store) -> None:
    open_registry(store)
    with store.engine.begin() as connection:
        connection.execute(
            update(Source)
            .where(Source.name == "heise-news")
            .values(last_crawled_at=datetime(2026, 1, 16, 15, 7), last_outcome="ok: 12 new")
        )
        connection.execute(
            update(Source)
            .where(Source.name == "golem-news")
            .values(
                last_crawled_at=datetime(2026, 1, 16, 15, 8),
                last_outcome="failed: HTTP 503",
                last_error="HTTP 503 Service Unavailable",
                consecutive_failures=3,
                next_attempt_at=datetime(2026, 1, 16, 17, 8),
            )
        )
    result = cli("sources", "check", "--json", expect=1)  # an enabled source is failing
    states = {state["name"]: state for state in json.loads(result.output)}
    assert set(states) == {source.name for source in load_sources()}
    assert states["golem-news"] == {
        "name": "golem-news",
        "kind": "feed",
        "enabled": True,
        "health": "failing",
        "last_crawled_at": "2026-01-16T16:08+01:00",
        "last_outcome": "failed: HTTP 503",
        "last_error": "HTTP 503 Service Unavailable",
        "consecutive_failures": 3,
        "next_attempt_at": "2026-01-16T18:08+01:00",
    }
    assert (states["heise-news"]["health"], states["heise-news"]["last_outcome"]) == ("ok", "ok: 12 new")
    assert states["t3n-news"]["health"] == "unchecked"
    cli.env = {**cli.env, "COLUMNS": "200"}  # the table at full width
    (row,) = [line for line in cli("sources", "check", expect=1).output.splitlines() if "golem-news" in line]
    assert [cell.strip() for cell in row.split("│")[1:-1]] == [
        "golem-news",
        "yes",
        "failing",
        "2026-01-16T16:08+01:00",
        "failed: HTTP 503",
        "3",
        "2026-01-16T18:08+01:00",
    ]

    cli("sources", "disable", "golem-news")
    assert json.loads(cli("sources", "check", "--json").output)  # exit 0: only disabled ones fail


def test_configured_sources_file_replaces_the_shipped_list(cli: Cli, tmp_path: Path) -> None:
    own = tmp_path / "own-sources.toml"
    own.write_text(
        '[[source]]\nname = "hauszeitung"\noutlet = "Hauszeitung"\nkind = "feed"\n'
        'url = "https://hauszeitung.example/feed.xml"\n',
        encoding="utf-8",
    )
    cli.env = {**cli.env, "NEWSMON_SOURCES_FILE": str(own)}
    listed = json.loads(cli("sources", "list", "--json").output)
    assert [source["name"] for source in listed] == ["hauszeitung"]
