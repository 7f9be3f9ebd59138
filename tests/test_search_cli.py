"""`newsmon articles search` and the new list filters, on files stored by `newsmon import`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update

from newsmon.search import MATCH_END, MATCH_START
from newsmon.store.db import Store
from newsmon.store.models import Article
from tests.conftest import Cli
from tests.test_search import DOCS, _body


@pytest.fixture
def imported(cli: Cli, tmp_path: Path) -> dict[str, int]:
    """The search corpus as plain-text files through `newsmon import`; article id per key."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for doc in DOCS:
        (folder / f"{doc.key}.txt").write_text(
            f"{doc.title}\n\n{doc.published:%d.%m.%Y}\n\n{_body(doc)}\n", encoding="utf-8"
        )
    lines = cli("import", "--json", str(folder)).output.splitlines()
    results = [json.loads(line) for line in lines]
    assert {result["status"] for result in results} == {"stored"}
    return {Path(result["path"]).stem: result["article_id"] for result in results}


def search_json(cli: Cli, *args: str) -> list[dict]:
    return json.loads(cli("articles", "search", *args, "--json").output)


def test_search_finds_imported_articles_with_filters(
    cli: Cli, store: Store, imported: dict[str, int]
) -> None:
    rows = search_json(cli, "Huawei Ascend", "--since", "2026-01-01")
    assert [row["id"] for row in rows] == [imported["phrase"]]
    assert f"{MATCH_START}Huawei{MATCH_END}" in rows[0]["snippet"]
    assert rows[0]["rank"] > 0
    assert {row["id"] for row in search_json(cli, "Mueller")} == {imported["umlaut"], imported["spelled"]}
    with store.engine.begin() as connection:
        connection.execute(
            update(Article)
            .where(Article.id == imported["apart"])
            .values(topic_scores={"T": {"score": 0.9, "relevant": True}})
        )
    assert [row["id"] for row in search_json(cli, "Huawei", "--topic", "T")] == [imported["apart"]]


def test_text_output_shows_the_snippet(cli: Cli, imported: dict[str, int]) -> None:
    output = cli("articles", "search", '"Huawei Ascend"').output
    assert output.startswith(f"#{imported['phrase']}  ")
    assert "setzt auf Huawei Ascend Prozessoren" in output  # markers become styling, none left raw
    assert MATCH_START not in output and MATCH_END not in output
    assert cli("articles", "search", "Nirgendwo").output.strip() == "no matches"


def test_malformed_query_is_one_line_error(cli: Cli, imported: dict[str, int]) -> None:
    result = cli("articles", "search", 'Huawei "Ascend', expect=1)
    assert result.output.startswith("Error: the quote at position 8 is not closed")
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_list_unread_and_starred(cli: Cli, store: Store, imported: dict[str, int]) -> None:
    from newsmon.marks import set_read, set_starred

    with store.session() as session:
        set_read(session, imported["title"], True)
        set_starred(session, imported["body"], True)
        session.commit()
    unread = json.loads(cli("articles", "list", "--unread", "--json").output)
    assert imported["title"] not in {row["id"] for row in unread}
    assert len(unread) == len(DOCS) - 1
    starred = json.loads(cli("articles", "list", "--starred", "--json").output)
    assert [(row["id"], row["starred"], row["read"]) for row in starred] == [(imported["body"], True, False)]
