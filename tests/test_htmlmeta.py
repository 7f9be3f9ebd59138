"""Page declarations (newsmon.htmlmeta) and title choice (newsmon.htmltitle) on small constructed pages."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from lxml.html import HtmlElement

from newsmon.htmlextract import authors, parse_html, published_date
from newsmon.htmlmeta import PageMeta, declared_authors, first_text, read_page_meta
from newsmon.htmltitle import choose_title, site_keys, strip_by_agreement, strip_site_name

BERLIN = ZoneInfo("Europe/Berlin")
URL = "https://www.beispiel-zeitung.de/politik/artikel-123.html"
BODY = "<p>" + "Ein Satz über die Lage im Land, der lang genug für einen Artikel ist. " * 5 + "</p>"


def page(head: str = "", body: str = BODY, ld: object | str | None = None) -> HtmlElement:
    """A minimal German page; ``ld`` is serialised into a JSON-LD script (a str goes in verbatim)."""
    script = ""
    if ld is not None:
        text = ld if isinstance(ld, str) else json.dumps(ld)
        script = f'<script type="application/ld+json">{text}</script>'
    return parse_html(f'<!DOCTYPE html><html lang="de"><head>{head}{script}</head><body>{body}</body></html>')


def meta_of(head: str = "", body: str = BODY, ld: object | str | None = None) -> PageMeta:
    return read_page_meta(page(head, body, ld))


def og(property_: str, content: str) -> str:
    return f'<meta property="{property_}" content="{content}">'


# --- JSON-LD -------------------------------------------------------------------------------------


def test_article_found_inside_graph_next_to_website_and_breadcrumbs() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Beispiel-Zeitung"},
            {"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem", "name": "Politik"}]},
            {"@type": "NewsArticle", "headline": "Bund plant neues Gesetz", "datePublished": "2026-02-03"},
        ],
    }
    meta = meta_of(ld=ld)
    assert meta.headline == "Bund plant neues Gesetz"
    assert "Beispiel-Zeitung" in meta.site_names


def test_article_found_in_a_top_level_list_with_a_list_of_types() -> None:
    ld = [
        {"@type": "Organization", "name": "Verlag"},
        {"@type": ["NewsArticle", "ReportageNewsArticle"], "headline": "Reportage"},
    ]
    assert meta_of(ld=ld).headline == "Reportage"


def test_the_page_article_wins_over_a_related_article_nested_deeper() -> None:
    ld = {
        "@type": "NewsArticle",
        "headline": "Die eigene Meldung",
        "relatedLink": {
            "@type": "ItemList",
            "itemListElement": [{"@type": "NewsArticle", "headline": "Andere"}],
        },
    }
    assert meta_of(ld=ld).headline == "Die eigene Meldung"


def test_broken_json_ld_is_skipped_and_the_next_script_still_read() -> None:
    tree = parse_html(
        "<html><head>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Zweiter Block",}</script>'
        f"</head><body>{BODY}</body></html>"
    )
    assert read_page_meta(tree).headline == "Zweiter Block"  # trailing comma tolerated


def test_absurdly_nested_json_ld_is_survived() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    nested: dict[str, object] = {"@type": "Thing"}
    for _ in range(200):
        nested = {"@type": "Thing", "part": nested}
    tree = parse_html(
        f'<html><head><script type="application/ld+json">{deep}</script>'
        f'<script type="application/ld+json">{json.dumps(nested)}</script>'
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Trotzdem"}}</script>'
        f"</head><body>{BODY}</body></html>"
    )
    assert read_page_meta(tree).headline == "Trotzdem"


def test_entities_and_whitespace_in_json_ld_are_cleaned() -> None:
    meta = meta_of(ld={"@type": "NewsArticle", "headline": "Samsung soll Smartphones  zerst&ouml;ren\n"})
    assert meta.headline == "Samsung soll Smartphones zerstören"


def test_missing_fields_give_empty_answers() -> None:
    meta = meta_of(ld={"@type": "NewsArticle"})
    assert meta.headline is None
    assert meta.accessible_for_free is None
    assert meta.word_count is None
    assert declared_authors(meta) == []


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ({"@type": "Person", "name": "Erika Beispiel"}, ["Erika Beispiel"]),
        (
            [{"@type": "Person", "name": "Anna Muster"}, {"@type": "Person", "name": "Ben Beispiel"}],
            ["Anna Muster", "Ben Beispiel"],
        ),
        ("Anna Muster und Ben Beispiel", ["Anna Muster", "Ben Beispiel"]),
        (["Anna Muster", {"@type": "Organization", "name": "dpa"}], ["Anna Muster", "dpa"]),
        ([{"@type": "Person"}, {"@type": "Person", "name": " "}], []),
    ],
)
def test_authors_as_objects_strings_and_lists(author: object, expected: list[str]) -> None:
    tree = page(ld={"@type": "NewsArticle", "author": author})
    assert authors(read_page_meta(tree), tree) == expected


def test_desk_codes_and_mail_addresses_are_not_names() -> None:
    ld = {"@type": "NewsArticle", "author": ["Elena Muster (emu)", "Max Beispiel (mb.)", "m.b@example.org"]}
    tree = page(ld=ld)
    assert authors(read_page_meta(tree), tree) == ["Elena Muster", "Max Beispiel"]


def test_meta_author_when_json_ld_names_none() -> None:
    tree = page(head='<meta name="author" content="Erika Beispiel, Max Muster">')
    assert authors(read_page_meta(tree), tree) == ["Erika Beispiel", "Max Muster"]


@pytest.mark.parametrize(
    ("declaration", "free"),
    [
        ({"isAccessibleForFree": False}, False),
        ({"isAccessibleForFree": "False"}, False),
        (
            {"hasPart": {"@type": "WebPageElement", "isAccessibleForFree": "false", "cssSelector": ".paid"}},
            False,
        ),
        ({"isAccessibleForFree": True}, True),
        ({}, None),
    ],
)
def test_paywall_declaration(declaration: dict[str, object], free: bool | None) -> None:
    assert meta_of(ld={"@type": "NewsArticle", **declaration}).accessible_for_free is free


def test_first_text_takes_names_and_values() -> None:
    assert first_text([{"@type": "Person", "name": "A"}, "B"]) == "A"
    assert first_text({"@value": "Wert"}) == "Wert"
    assert first_text([None, "", "x"]) == "x"
    assert first_text(None) is None


# --- dates ---------------------------------------------------------------------------------------


def test_json_ld_date_keeps_the_publishers_offset_and_origin() -> None:
    tree = page(
        head=og("article:published_time", "2026-02-01T08:00:00+01:00"),
        ld={"@type": "NewsArticle", "datePublished": "2026-02-03T23:30:00+00:00"},
    )
    found = published_date(read_page_meta(tree), tree, URL, BERLIN)
    assert found is not None
    assert (found.origin, found.precision) == ("json-ld", "minute")
    assert found.value.isoformat() == "2026-02-03T23:30:00+00:00"  # not moved to the next day in Berlin


def test_meta_date_when_json_ld_has_none_and_a_naive_time_is_local() -> None:
    tree = page(head=og("article:published_time", "2026-02-03T09:30:00"))
    found = published_date(read_page_meta(tree), tree, URL, BERLIN)
    assert found is not None
    assert found.origin == "meta"
    assert found.value.utcoffset() is not None
    assert found.value.isoformat() == "2026-02-03T09:30:00+01:00"


def test_unparseable_or_implausible_declarations_fall_through_to_htmldate() -> None:
    tree = page(
        head=og("article:published_time", "demnächst") + '<meta name="date" content="1970-01-01">',
        body=f'<p class="date">3. Februar 2026</p><time datetime="2026-02-03">3.2.2026</time>{BODY}',
    )
    found = published_date(read_page_meta(tree), tree, None, BERLIN)
    assert found is not None
    assert (found.origin, found.precision) == ("htmldate", "day")
    assert found.value.date().isoformat() == "2026-02-03"


# --- titles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Bund plant neues Gesetz | Beispiel-Zeitung", "Bund plant neues Gesetz"),
        ("Bund plant neues Gesetz - beispiel-zeitung.de", "Bund plant neues Gesetz"),
        ("Bund plant neues Gesetz – Politik – beispiel-zeitung.de", "Bund plant neues Gesetz – Politik"),
        ("Beispiel-Zeitung | Bund plant neues Gesetz", "Bund plant neues Gesetz"),
        ("Bund plant neues Gesetz | Die Beispiel-Zeitung", "Bund plant neues Gesetz"),
        ("Bund plant neues Gesetz | BZ.de | Politik", "Bund plant neues Gesetz"),
        ("Abnehmspritze kommt - So teuer wird sie", "Abnehmspritze kommt - So teuer wird sie"),
        ("Beispiel-Zeitung", "Beispiel-Zeitung"),
    ],
)
def test_site_names_are_stripped_generically(title: str, expected: str) -> None:
    sites = site_keys(meta_of(head=og("og:site_name", "Beispiel-Zeitung")), URL)
    assert strip_site_name(title, sites) == expected


def test_a_site_name_with_parts_is_recognised_by_each_part() -> None:
    sites = site_keys(meta_of(head=og("og:site_name", "Nachrichten Nord – Das Portal")), None)
    assert (
        strip_site_name("Sturm an der Küste - Nachrichten Nord - Das Portal", sites) == "Sturm an der Küste"
    )


def test_a_kicker_goes_when_the_rest_is_another_declaration() -> None:
    assert (
        strip_by_agreement("Wintersport | Streit ums Material", ["Streit ums Material"])
        == "Streit ums Material"
    )
    # a slash is part of the headline, not a separator
    assert strip_by_agreement("Demo / Der Tag naht", ["Der Tag naht"]) == "Demo / Der Tag naht"


def test_og_title_preferred_over_a_different_h1() -> None:
    meta = meta_of(
        head=og("og:title", "Social-Titel der Meldung") + "<title>SEO-Titel | Beispiel-Zeitung</title>",
        body=f"<article><h1>Überschrift auf der Seite</h1>{BODY}</article>",
    )
    assert choose_title(meta, URL) == ("Social-Titel der Meldung", "og:title")


def test_meta_title_confirmed_by_the_page_is_trusted_first() -> None:
    head = '<meta name="title" content="Die Überschrift">' + og("og:title", "Der Klick-Titel")
    meta = meta_of(head=head, body=f"<article><h1>Die Überschrift</h1>{BODY}</article>")
    assert choose_title(meta, URL) == ("Die Überschrift", "meta-title")


def test_meta_title_nothing_else_repeats_is_not_trusted() -> None:
    head = '<meta name="title" content="Nachrichten aus der Region">' + og("og:title", "Der Klick-Titel")
    assert choose_title(meta_of(head=head), URL) == ("Der Klick-Titel", "og:title")


def test_an_og_title_that_is_only_the_site_name_is_ignored() -> None:
    head = og("og:title", "Beispiel-Zeitung") + og("og:site_name", "Beispiel-Zeitung")
    meta = meta_of(head=head, ld={"@type": "NewsArticle", "headline": "Die Meldung des Tages"})
    assert choose_title(meta, URL) == ("Die Meldung des Tages", "json-ld")


def test_shown_json_ld_headline_beats_an_og_title_that_only_copies_the_seo_title() -> None:
    head = og("og:title", "SEO-Titel zum Thema") + "<title>SEO-Titel zum Thema</title>"
    ld = {"@type": "NewsArticle", "headline": "Die gedruckte Überschrift"}
    body = (
        '<nav class="breadcrumb"><ol><li><h1>SEO-Titel zum Thema</h1></li></ol></nav>'
        f"<article><h2>Die gedruckte Überschrift</h2>{BODY}</article>"
    )
    assert choose_title(meta_of(head=head, ld=ld, body=body), URL) == ("Die gedruckte Überschrift", "json-ld")


def test_h1_outside_navigation_is_the_fallback() -> None:
    body = f'<ul class="teaser"><li><h1>Andere Meldung</h1></li></ul><article><h1>Die Meldung</h1>{BODY}</article>'
    assert choose_title(meta_of(body=body), URL) == ("Die Meldung", "h1")


def test_no_declaration_at_all() -> None:
    assert choose_title(meta_of(), URL) == (None, "none")
