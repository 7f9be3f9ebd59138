"""Acceptance of the core slice on the five seed texts, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from newsmon.store.db import Store
from newsmon.store.models import Article, ArticleUrl, FetchLog
from tests.conftest import Cli

TITLE_003 = "KI-Wettlauf zwischen USA und China verschärft sich"
OPENING_003 = "In den letzten Monaten hat sich die Entwicklung von KI-Modellen beispiellos beschleunigt"


def import_json(cli: Cli, *paths: Path | str, expect: int | None = 0) -> list[dict]:
    result = cli("import", "--json", *map(str, paths), expect=expect)
    return [json.loads(line) for line in result.output.splitlines()]


def by_seed(results: list[dict]) -> dict[str, dict]:
    return {Path(r["path"]).name[:3]: r for r in results}


def show(cli: Cli, article_id: int) -> dict:
    return json.loads(cli("articles", "show", str(article_id), "--json").output)


@pytest.fixture
def imported(cli: Cli, seeds_dir: Path) -> dict[str, dict]:
    results = by_seed(import_json(cli, seeds_dir))
    assert [r["status"] for r in results.values()] == ["stored"] * 5
    return results


def test_seeds_store_exactly_five_articles(imported: dict[str, dict], store: Store) -> None:
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 5
        assert (
            session.scalar(select(func.count()).select_from(FetchLog).where(FetchLog.outcome == "stored"))
            == 5
        )


def test_seed_003_is_stored_once_and_clean(cli: Cli, imported: dict[str, dict]) -> None:
    article = show(cli, imported["003"]["article_id"])
    assert article["title"] == TITLE_003
    assert article["text"].count(OPENING_003) == 1
    assert not re.search(r"width=|height=|sizes=|shutterstock", article["text"])
    assert TITLE_003 not in article["text"]
    assert article["language"] == "de"


def test_seed_000_title_once_footer_gone_date(cli: Cli, imported: dict[str, dict]) -> None:
    article = show(cli, imported["000"]["article_id"])
    assert article["title"] == "KI-Wettlauf: Schließt China die Lücke zu den USA?"
    assert article["title"] not in article["text"]
    for junk in (
        "Teilen:",
        "Kommentare (0)",
        "Kommentare werden geladen",
        "Einen Kommentar",
        "Yükleniyor",
        "Folge uns",
        "Kategorien",
        "HaberV2",
        "👍",
        "|180",
    ):
        assert junk not in article["text"], junk
    assert article["text"].rstrip().endswith("den Gewinner bestimmen werden.")
    assert article["published_at"] == "2026-01-16T16:07+01:00"
    assert article["date_precision"] == "minute"


def test_seed_004_has_month_precision(cli: Cli, imported: dict[str, dict]) -> None:
    article = show(cli, imported["004"]["article_id"])
    assert article["published_at"] == "2025-01"
    assert article["date_precision"] == "month"
    assert not article["text"].startswith("date")
    assert article["authors"] == ["Pascal Grunow"]


def test_seed_001_header_and_footer_junk_gone(cli: Cli, imported: dict[str, dict]) -> None:
    article = show(cli, imported["001"]["article_id"])
    assert article["published_at"] == "2026-01-16T13:20+01:00"
    for junk in ("Bitget", "Trade smarter", "Original anzeigen", "Haftungsausschluss", "PoolX", "Newsletter"):
        assert junk not in article["text"], junk


def test_reimport_stores_nothing_and_names_the_original(
    cli: Cli, seeds_dir: Path, imported: dict[str, dict], store: Store
) -> None:
    again = by_seed(import_json(cli, seeds_dir))
    for seed, result in again.items():
        assert result["status"] == "duplicate"
        assert result["duplicate_of"] == imported[seed]["article_id"]
        assert result["layer"] == "url"
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 5


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "copies" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _swap_quotes_and_spacing(text: str) -> str:
    swapped = text.replace("“", "\x00").replace("”", "\x01").replace('"', "“")
    swapped = swapped.replace("\x00", '"').replace("\x01", '"')
    return re.sub(r"\. ", ".\n  ", swapped).replace(", ", ",  ")


def test_copies_of_003_are_duplicates(
    cli: Cli, seeds_dir: Path, imported: dict[str, dict], tmp_path: Path, store: Store
) -> None:
    original = (seeds_dir / "003_9dcc30a0fe1cfb7a.txt").read_text(encoding="utf-8")
    assert '"' in original
    assert "”" in original
    quoted = _write(tmp_path, "003-quotes.txt", _swap_quotes_and_spacing(original))
    wrapped = _write(
        tmp_path,
        "003-wrapped.txt",
        "Tech-Portal Nachrichten\nStartseite > KI > China\n\n"
        + original
        + "\n\nÜber den Autor: Er schreibt seit Jahren für unser Portal über Halbleiter und die Politik dahinter.\n"
        "Impressum | Datenschutz | Kontakt\n",
    )
    results = import_json(cli, quoted, wrapped)
    for result in results:
        assert result["status"] == "duplicate", result
        assert result["duplicate_of"] == imported["003"]["article_id"]
        assert result["layer"] in ("exact", "near")
        assert result["similarity"] >= 0.7
    detail = show(cli, imported["003"]["article_id"])
    assert {Path(d["url"]).name for d in detail["duplicates"]} == {"003-quotes.txt", "003-wrapped.txt"}
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 5
        assert session.scalar(select(func.count()).select_from(ArticleUrl)) == 7


def test_truncated_002_is_a_near_duplicate(
    cli: Cli, seeds_dir: Path, imported: dict[str, dict], tmp_path: Path
) -> None:
    original = (seeds_dir / "002_53d1b085e57f7486.txt").read_text(encoding="utf-8")
    truncated = _write(tmp_path, "002-truncated.txt", original[: int(len(original) * 0.8)])
    (result,) = import_json(cli, truncated)
    assert result["status"] == "duplicate"
    assert result["duplicate_of"] == imported["002"]["article_id"]
    assert result["layer"] == "near"
    text = show(cli, imported["002"]["article_id"])
    assert text["duplicates"][0]["layer"] == "near"
    assert text["duplicates"][0]["similarity"] >= 0.85


def test_different_seeds_are_never_merged(imported: dict[str, dict], store: Store) -> None:
    ids = {r["article_id"] for r in imported.values()}
    assert len(ids) == 5
    with store.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(ArticleUrl).where(ArticleUrl.layer.is_not(None)))
            == 0
        )


def test_000_and_001_share_a_story_and_stay_two_articles(cli: Cli, imported: dict[str, dict]) -> None:
    assert imported["000"]["story_id"] == imported["001"]["story_id"]
    others = {imported[s]["story_id"] for s in ("002", "003", "004")}
    assert imported["000"]["story_id"] not in others
    assert len(others) == 3
    stories = json.loads(cli("stories", "list", "--json", "--min-articles", "2").output)
    assert [sorted(s["article_ids"]) for s in stories] == [
        sorted([imported["000"]["article_id"], imported["001"]["article_id"]])
    ]


def test_article_list_json_shape(cli: Cli, imported: dict[str, dict]) -> None:
    rows = json.loads(cli("articles", "list", "--json").output)
    assert len(rows) == 5
    assert all(
        set(row)
        == {"id", "title", "url", "source", "published_at", "date_precision", "language", "story_id"}
        | {"read", "starred", "marks"}  # the reader's own marks (review UI)
        for row in rows
    )
    assert not any(row["read"] or row["starred"] or row["marks"] for row in rows)  # nothing marked yet
    assert rows[0]["id"] == imported["000"]["article_id"]  # newest first
    since = json.loads(cli("articles", "list", "--json", "--since", "2026-01-01").output)
    assert {r["id"] for r in since} == {imported["000"]["article_id"], imported["001"]["article_id"]}
    story = json.loads(cli("articles", "list", "--json", "--story", str(imported["000"]["story_id"])).output)
    assert len(story) == 2


def test_show_search_export_and_stats(cli: Cli, imported: dict[str, dict]) -> None:
    detail = show(cli, imported["003"]["article_id"])
    assert {"text", "authors", "aliases", "duplicates"} <= set(detail)
    assert detail["aliases"][0]["url"].endswith("003_9dcc30a0fe1cfb7a.txt")
    hits = json.loads(cli("articles", "search", "Nanosekunden", "--json").output)
    assert {h["id"] for h in hits} == {imported["000"]["article_id"], imported["001"]["article_id"]}
    csv_out = cli("articles", "export", "--format", "csv").output.splitlines()
    assert csv_out[0].startswith("id,title,url")
    assert len(csv_out) == 6
    stats = json.loads(cli("stats", "--json").output)
    assert stats["articles"] == 5
    assert stats["multi_article_stories"] == 1
    human = cli("articles", "show", str(imported["000"]["article_id"])).output
    assert "2026-01-16T16:07+01:00" in human
    assert cli("articles", "show", "999", expect=1).output.startswith("Error: no article #999")


def test_html_goes_through_trafilatura(cli: Cli, tmp_path: Path) -> None:
    html = Path(__file__).parent / "data" / "article.html"
    (result,) = import_json(cli, html)
    assert result["status"] == "stored", result
    article = show(cli, result["article_id"])
    assert article["title"] == "Huawei stellt neuen Ascend-Chip vor"
    assert "Ascend 910C" in article["text"]
    assert "Newsletter" not in article["text"]
    assert "Cookie" not in article["text"]
    assert article["published_at"].startswith("2026-02-03")


def test_truncated_and_rewrapped_004_is_a_near_duplicate(
    cli: Cli, seeds_dir: Path, imported: dict[str, dict], tmp_path: Path
) -> None:
    """A syndicated teaser: cut short and put into another site's header and footer."""
    original = (seeds_dir / "004_a971a271933f7a49.txt").read_text(encoding="utf-8")
    header = (
        "Dieser Beitrag erschien zuerst bei einem Partnerportal, wir veröffentlichen ihn mit freundlicher "
        "Genehmigung in einer gekürzten Fassung für unsere Leserinnen und Leser im Wirtschaftsressort.\n\n"
    )
    footer = (
        "\n\nDen vollständigen Text und weitere Analysen finden Sie beim Partnerportal in der Rubrik Technik."
    )
    copy = _write(tmp_path, "004-teaser.txt", header + original[: int(len(original) * 0.8)] + footer)
    (result,) = import_json(cli, copy)
    assert result["status"] == "duplicate"
    assert result["duplicate_of"] == imported["004"]["article_id"]
    assert result["layer"] == "near"


def test_stored_articles_carry_their_topic_scores(imported: dict[str, dict], store: Store) -> None:
    """The digest selects by these: every seed is relevant to the shipped topic, with the why."""
    with store.session() as session:
        records = session.scalars(select(Article.topic_scores)).all()
    assert len(records) == 5
    for record in records:
        score = record["ki-wettlauf-usa-china"]
        assert score["relevant"] is True
        assert sum(item["contribution"] for item in score["explanation"]) == pytest.approx(
            score["score"], abs=1e-3
        )


def test_show_explains_the_topic_score(cli: Cli, imported: dict[str, dict]) -> None:
    output = cli("articles", "show", str(imported["001"]["article_id"])).output
    assert "ki-wettlauf-usa-china:" in output
    assert "(relevant)" in output


def test_dates_at_the_calendar_edge_are_bounds_not_errors(cli: Cli, imported: dict[str, dict]) -> None:
    rows = json.loads(cli("articles", "list", "--json", "--since", "0001-01-01", "--until", "9999-12-31").output)
    dated = [row for row in json.loads(cli("articles", "list", "--json").output) if row["published_at"]]
    assert dated and [row["id"] for row in rows] == [row["id"] for row in dated]
