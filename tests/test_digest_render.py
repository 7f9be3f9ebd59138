"""Digest contexts and templates: every template renders, both languages, leads, links, escaping."""

from __future__ import annotations

import pytest
from jinja2 import Template

from newsmon.store.db import Store
from reports.context import DigestContext, Presentation
from reports.digest import RenderedDigest, make_digest
from reports.errors import DigestError
from reports.i18n import ENGLISH, GERMAN, labels_for
from reports.lead import lead, sentences
from reports.render import RenderedParts, environment, render
from reports.settings import DigestSettings
from reports.weeks import IsoWeek
from tests.test_digest_data import (
    BERLIN,
    HOSTILE_TITLE,
    TOPIC,
    WEEK,
    Planted,
    week_fixture,  # noqa: F401  (the week fixture)
)


def presentation(
    language: str = "de", top: int = 2, more: int = 5, review: str | None = None
) -> Presentation:
    return Presentation(labels_for(language), BERLIN, top, more, review)


def digest_of(store: Store, how: Presentation, week: IsoWeek = WEEK) -> RenderedDigest:
    with store.session() as session:
        return make_digest(
            session, topic=TOPIC, topic_title="KI-Wettlauf USA–China", week=week, tz=BERLIN, how=how
        )


def context_of(store: Store, monkeypatch: pytest.MonkeyPatch, how: Presentation) -> DigestContext:
    """The context make_digest renders from, captured on its way to the templates."""
    captured: list[DigestContext] = []

    def capture(context: DigestContext) -> RenderedParts:
        captured.append(context)
        return render(context)

    monkeypatch.setattr("reports.digest.render", capture)
    digest_of(store, how)
    monkeypatch.undo()
    return captured[0]


def test_every_template_renders_from_the_context(
    store: Store, week: dict[str, Planted], monkeypatch: pytest.MonkeyPatch
) -> None:
    context = context_of(store, monkeypatch, presentation())
    assert context.more, "the fixture week must fill the 'more articles' list too"
    env = environment()
    names = env.list_templates()
    assert {"digest.html", "digest.txt", "_story.html", "_story.txt", "_more.html", "_health.html"} <= set(
        names
    )
    for name in names:
        rendered = env.get_template(name).render(d=context, story=context.stories[0], item=context.more[0])
        assert rendered.strip(), name


def test_partials_are_named_with_an_underscore_and_autoescape_is_on() -> None:
    env = environment()
    pages = [name for name in env.list_templates() if not name.startswith("_")]
    assert sorted(pages) == ["digest.html", "digest.txt"]
    assert "&lt;b&gt;" in env.from_string("{{ x }}").render(x="<b>")
    assert isinstance(env.get_template("digest.html"), Template)


def test_top_stories_more_articles_and_counts(
    store: Store, week: dict[str, Planted], monkeypatch: pytest.MonkeyPatch
) -> None:
    context = context_of(store, monkeypatch, presentation(top=2, more=5))
    assert [story.rank for story in context.stories] == [1, 2]
    assert [item.outlets for item in context.more] == [1, 1, 1]  # nvidia, hostile, quiet
    assert [link.label for link in context.stories[0].also] == ["spiegel.de", "handelsblatt.com"]
    assert context.counts.stories == "5 Geschichten"
    assert context.counts.articles == "7 Artikel"
    assert context.counts.outlets == "7 Medien"
    assert context.counts.change == "+600 % gegenüber der Vorwoche"
    assert context.stories[0].date == "Di., 13.01."
    assert context.stories[0].why == ("Exportkontrollen", "China", "Ähnlichkeit zu den Referenztexten")
    assert context.stories[0].lead.startswith("Das US-Handelsministerium hat am Dienstag")
    assert [problem.source for problem in context.health] == ["golem-news", "netzpolitik-feed"]
    assert context.review_url is None
    assert context.stories[0].review_url is None


def test_english_digest(store: Store, week: dict[str, Planted]) -> None:
    digest = digest_of(store, presentation("en", top=10))
    assert digest.subject == "newsmon: KI-Wettlauf USA–China — week 3/2026, 5 stories"
    assert "Also reported by:" in digest.text
    assert "Top stories" in digest.html
    assert "Tue 13 Jan" in digest.text
    assert "12–18 January 2026" in digest.text
    assert digest.meta["language"] == "en"


def test_review_links_when_the_review_ui_is_configured(
    store: Store, week: dict[str, Planted], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = DigestSettings(review_base_url="https://review.example.org/newsmon/").review_base_url
    context = context_of(store, monkeypatch, presentation(review=base))
    assert context.review_url == f"https://review.example.org/newsmon/topics/{TOPIC}?week=2026-W03"
    assert context.stories[0].review_url.startswith("https://review.example.org/newsmon/stories/")
    assert all(story.review_url for story in context.stories)


def test_html_escapes_titles_and_the_text_part_keeps_them(store: Store, week: dict[str, Planted]) -> None:
    digest = digest_of(store, presentation(top=10))
    assert "<script" not in digest.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in digest.html
    assert HOSTILE_TITLE in digest.text
    assert digest.chart is not None
    assert digest.chart.startswith(b"\x89PNG")
    assert f"cid:{digest.chart_cid}" in digest.html


def test_the_text_part_reads_well_alone(store: Store, week: dict[str, Planted]) -> None:
    text = digest_of(store, presentation(top=3, more=5)).text
    assert text.startswith("newsmon · Kalenderwoche 3/2026\nKI-Wettlauf USA–China\n12.–18. Januar 2026\n")
    assert "Artikel pro Tag: Mo. 0 · Di. 2 · Mi. 1 · Do. 1 · Fr. 1 · Sa. 1 · So. 1" in text
    assert "DIE WICHTIGSTEN GESCHICHTEN\n===========================" in text
    assert "WEITERE ARTIKEL" in text
    assert "- golem-news: 3 Fehlversuche in Folge (HTTP 503 Service Unavailable)" in text
    assert "<" not in text.replace(HOSTILE_TITLE, "")  # no markup leaks into the text part
    assert max(len(line) for line in text.splitlines() if "http" not in line) <= 76


def test_labels_of_both_languages() -> None:
    assert GERMAN.period(IsoWeek(2026, 1)) == "29. Dezember 2025–4. Januar 2026"
    assert ENGLISH.period(IsoWeek(2026, 5)) == "26 January–1 February 2026"
    assert GERMAN.count(1, GERMAN.story_one, GERMAN.story_many) == "1 Geschichte"
    assert GERMAN.number(12345) == "12.345"
    assert GERMAN.change(5, 10) == "−50 % gegenüber der Vorwoche"
    assert ENGLISH.change(3, 0) == "no articles the week before"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Am 3. Januar gab es Neues. Betroffen sind u. a. Nvidia und z. B. AMD. Dr. Müller sagte etwas.",
            [
                "Am 3. Januar gab es Neues.",
                "Betroffen sind u. a. Nvidia und z. B. AMD.",
                "Dr. Müller sagte etwas.",
            ],
        ),
        ("„Das reicht“, sagte er. Dann ging er!", ["„Das reicht“, sagte er.", "Dann ging er!"]),
    ],
)
def test_sentences_respect_german_abbreviations_and_ordinals(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_lead_takes_two_or_three_sentences_and_stays_short() -> None:
    short = "Eins ist kurz. Zwei ist kurz. Drei ist kurz. Vier ist kurz."
    assert lead(short) == "Eins ist kurz. Zwei ist kurz. Drei ist kurz."
    long_sentence = "Wort " * 200
    assert len(lead(long_sentence)) <= 422
    assert lead(long_sentence).endswith(" …")


def test_an_empty_week_renders_the_short_note(store: Store) -> None:
    digest = digest_of(store, presentation(), week=IsoWeek(2025, 40))
    assert digest.empty
    assert digest.chart is None
    assert "Keine neue Berichterstattung in dieser Woche." in digest.text
    assert "Keine neue Berichterstattung in dieser Woche." in digest.html
    assert digest.subject.endswith("KW 40/2025, keine neue Berichterstattung")


def test_week_parsing() -> None:
    assert IsoWeek.parse("2026-W01").monday.isoformat() == "2025-12-29"
    with pytest.raises(DigestError, match="2025 has no ISO week 53"):
        IsoWeek.parse("2025-W53")
    with pytest.raises(DigestError, match="expected YYYY-Www"):
        IsoWeek.parse("2026-3")
