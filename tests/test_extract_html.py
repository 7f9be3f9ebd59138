"""The HTML path of extract_article, its body repairs (newsmon.htmlbody) and `newsmon extract`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from newsmon.cli import main
from newsmon.errors import InputError
from newsmon.extract import Article, RawDocument, extract_article
from newsmon.htmlbody import (
    drop_author_box,
    drop_header_furniture,
    drop_repeated_lines,
    drop_tail_furniture,
    drop_title_lines,
    prune_link_lists,
    restore_lead,
    visible_text_key,
)
from newsmon.htmlextract import parse_html

DATA = Path(__file__).parent / "data" / "extract"
CONSTRUCTED = Path(__file__).parent / "data" / "extraction"
EXPECTATIONS = tomllib.loads((CONSTRUCTED / "expectations.toml").read_text(encoding="utf-8"))
BERLIN = ZoneInfo("Europe/Berlin")
URL = "https://www.nordstadt-kurier.example/lokales/waermenetz-123.html"
PROSE = [
    "Die Stadtwerke haben am Montag ihre Pläne für den Ausbau des Fernwärmenetzes vorgestellt.",
    "Nach Angaben des Geschäftsführers kostet das Vorhaben rund 120 Millionen Euro insgesamt.",
    "Der Stadtrat muss den Plänen im April noch zustimmen, eine Mehrheit gilt als sicher.",
]


def html_article(name: str = "article.html", min_words: int = 40) -> Article:
    document = RawDocument(url=URL, content=(DATA / name).read_text(encoding="utf-8"), kind="html")
    return extract_article(document, BERLIN, min_words)


# --- the whole HTML path -----------------------------------------------------------------------


def test_article_page_gives_declared_metadata_and_a_clean_body() -> None:
    article = html_article()
    assert (article.title, article.title_origin) == ("Stadtwerke bauen Wärmenetz aus", "og:title")
    assert article.published is not None
    assert (article.published.origin, article.published.precision) == ("json-ld", "minute")
    assert article.published.value.isoformat() == "2026-03-10T06:15:00+01:00"
    assert article.authors == ["Jana Lindner", "Tom Weber"]
    assert article.language == "de"
    assert not article.paywalled
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("Bis 2030 sollen 4000 Haushalte")  # the lead, put back in front
    assert paragraphs[-1].startswith("Der Stadtrat muss")
    for furniture in (
        "Wärmenetz aus",
        "Strompreise",
        "Externer Inhalt",
        "Datenschutz",
        "Bagger",
        "Fehler gefunden",
    ):
        assert furniture not in article.text, furniture


def test_paywall_teaser_is_flagged_not_rejected() -> None:
    article = html_article("paywall.html")
    assert article.paywalled
    assert article.authors == ["Ralf Berger"]
    assert article.published is not None
    assert article.published.origin == "meta"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("Nur ein Satz ohne jedes Markup, wie aus einer Textdatei.", "not HTML"),
        (
            "<html><head><title>Leer</title></head><body><script>var leer = 1;</script></body></html>",
            "no article text",
        ),
    ],
)
def test_non_articles_are_rejected_with_a_reason(content: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        extract_article(RawDocument(url=URL, content=content, kind="html"), BERLIN, 1)


@pytest.mark.parametrize("page", sorted(EXPECTATIONS))
def test_constructed_cms_page_keeps_the_story_and_drops_the_furniture(page: str) -> None:
    """Pages we wrote in common German CMS layouts: our stand-in for publishers we do not have."""
    expected = EXPECTATIONS[page]
    content = (CONSTRUCTED / f"{page}.html").read_text(encoding="utf-8")
    article = extract_article(RawDocument(url=URL, content=content, kind="html"), BERLIN, 1)
    assert article.title == expected["title"]
    assert article.paywalled == expected.get("paywalled", False)
    assert article.text.startswith(expected.get("starts_with", "")), article.text[:200]
    missing = [text for text in expected["must"] if text not in article.text]
    assert not missing, article.text
    kept = [text for text in expected["must_not"] if text in article.text]
    assert not kept, article.text


def test_kicker_above_the_headline_is_not_the_start_of_the_text() -> None:
    lead = "Ein parteiübergreifender Antrag soll den Export von Hochleistungschips strenger kontrollieren."
    page = (
        "<html><body><article><header><p class='kicker'>Exportkontrollen</p>"
        "<h1>Bundestag verschärft Regeln für Chip-Ausfuhren</h1></header>"
        f"<p><strong>{lead}</strong></p>{''.join(f'<p>{line}</p>' for line in PROSE)}"
        "</article></body></html>"
    )
    article = extract_article(RawDocument(url=URL, content=page, kind="html"), BERLIN, 1)
    assert article.text.split("\n\n") == [lead, *PROSE]


# --- body repairs ------------------------------------------------------------------------------


def test_header_labels_and_bylines_go_above_the_prose_subheadings_below_stay() -> None:
    title = "Stadtwerke bauen das Wärmenetz aus"
    head = ["Energie", "Von Jana Lindner, Nordstadt", "10.03.2026, 06:15 Uhr", "Lesedauer: 3 Minuten"]
    body = [PROSE[0], "Kritik", PROSE[1], "Das Wichtigste in Kürze:", PROSE[2]]
    assert drop_header_furniture([*head, *body], [title]) == body
    variant = "Fernwärme: Stadtwerke bauen Wärmenetz aus"
    assert drop_header_furniture([variant, *PROSE], [title]) == PROSE
    assert drop_header_furniture([PROSE[0], variant, PROSE[1]], [title]) == [PROSE[0], variant, PROSE[1]]


def test_author_box_at_the_end_goes_a_closing_paragraph_stays() -> None:
    box = "Korrespondentin Jana Lindner ist seit 2019 für die Zeitung im Rathaus unterwegs."
    assert drop_author_box([*PROSE, box], ["Jana Lindner"]) == PROSE
    assert drop_author_box([*PROSE, "Nordstadt-Kurier (Jana Lindner, Tom Weber)"], ["Tom Weber"]) == PROSE
    closing = "Jana Lindner und andere Anwohner sehen die Pläne skeptisch, wie eine Umfrage zeigt."
    assert drop_author_box([*PROSE, closing], ["Jana Lindner"]) == [*PROSE, closing]
    assert drop_author_box([*PROSE, box], []) == [*PROSE, box]


def test_title_lines_with_and_without_kicker_are_dropped_only_at_the_top() -> None:
    title = "Stadtwerke bauen das Wärmenetz aus"
    lines = ["Energie " + title, "Stadtwerke bauen das Wärmenetz aus", *PROSE, title]
    assert drop_title_lines(lines, ["Energie: " + title]) == [*PROSE, title]
    assert drop_title_lines(["das Wärmenetz aus", *PROSE], [title]) == ["das Wärmenetz aus", *PROSE]


def test_repeated_widget_lines_go_entirely() -> None:
    widget = "Externer Inhalt nicht verfügbar"
    assert drop_repeated_lines([PROSE[0], widget, PROSE[1], widget, PROSE[2]]) == PROSE


def test_a_doubled_article_is_left_to_the_sentence_collapse() -> None:
    assert drop_repeated_lines(PROSE + PROSE) == PROSE + PROSE


def test_tail_furniture_is_cut_but_not_the_story() -> None:
    tail = ["Mehr dazu lesen Sie in unserem Liveblog:", "mit dpa", "Fehler gefunden? Jetzt melden."]
    assert drop_tail_furniture(PROSE + tail) == PROSE
    assert drop_tail_furniture(["mit dpa"]) == ["mit dpa"]


def test_lead_is_restored_only_when_printed_and_missing() -> None:
    lead = "Bis 2030 sollen 4000 Haushalte angeschlossen werden."
    printed = visible_text_key(parse_html(f"<html><body><p class='intro'>{lead}</p><p>x</p></body></html>"))
    assert restore_lead(PROSE, [lead], printed) == [lead, *PROSE]
    assert restore_lead([lead, *PROSE], [lead], printed) == [lead, *PROSE]
    assert restore_lead(PROSE, ["Nur in den Metadaten, nie gedruckt."], printed) == PROSE


def test_link_lists_are_pruned_content_lists_kept() -> None:
    tree = parse_html(
        "<html><body><article>"
        "<ul id='links'><li><a href='/1'>Erste Meldung</a></li><li><a href='/2'>Zweite Meldung</a></li></ul>"
        "<ul id='facts'><li>4000 Haushalte bis 2030</li><li>120 Millionen Euro, davon <a href='/f'>ein Drittel</a> vom Bund</li></ul>"
        "</article></body></html>"
    )
    prune_link_lists(tree)
    assert tree.xpath("//ul/@id") == ["facts"]


# --- newsmon extract ---------------------------------------------------------------------------


def run(tmp_path: Path, *args: str) -> Result:
    env = {"NEWSMON_HOME": str(tmp_path / "var"), "NEWSMON_CONFIG": "", "NEWSMON_DATABASE_URL": ""}
    result = CliRunner().invoke(main, ["extract", *args], env=env)
    assert "Traceback" not in result.output + result.stderr
    return result


def test_cli_prints_one_object_per_page(tmp_path: Path) -> None:
    result = run(tmp_path, "--jsonl", str(DATA / "article.html.gz"), "--url", URL)
    assert result.exit_code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    page = json.loads(line)
    assert set(page) == {
        "file",
        "title",
        "title_origin",
        "text",
        "date",
        "date_origin",
        "authors",
        "language",
        "paywalled",
    }
    assert page["date"] == "2026-03-10T06:15+01:00"
    assert (page["date_origin"], page["language"]) == ("json-ld", "de")
    assert page["title"] == "Stadtwerke bauen Wärmenetz aus"


def test_cli_reads_folders_and_reports_bad_files_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "text.html").write_text("kein HTML, nur Text", encoding="utf-8")
    (tmp_path / "fake.html.gz").write_bytes(b"not gzip at all")
    (tmp_path / "notes.txt").write_text("wird in Ordnern übergangen", encoding="utf-8")
    missing = tmp_path / "missing.html"
    result = run(tmp_path, str(DATA), str(tmp_path), str(missing))
    assert result.exit_code == 0  # something was extracted
    assert len(result.stdout.split('\n{\n  "file"')) == 3  # article.html, article.html.gz, paywall.html
    errors = result.stderr.splitlines()
    assert len(errors) == 3
    assert any("fake.html.gz: broken gzip file" in line for line in errors)
    assert any("text.html: not HTML" in line for line in errors)
    assert any(line == f"{missing}: no such file or directory" for line in errors)


def test_cli_exits_1_when_nothing_was_extracted(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("Ein Text, aber kein HTML.", encoding="utf-8")
    result = run(tmp_path, str(tmp_path / "missing.html.gz"), str(tmp_path / "notes.txt"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[1].endswith(
        "notes.txt: not an HTML file (use .html or .htm, optionally .gz)"
    )


def test_cli_url_needs_a_single_file(tmp_path: Path) -> None:
    result = run(tmp_path, str(DATA), "--url", URL)
    assert result.exit_code == 2
    assert "--url applies to one file only" in result.stderr
