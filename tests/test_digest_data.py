"""A week of fixture coverage for the digest tests, stored through the real ingest path.

Week 2026-W03 (12–18 January 2026, Europe/Berlin) of the topic ki-wettlauf-usa-china:

- "export": the same event (new US export rules on Huawei's Ascend chips) written up by three
  outlets in their own words; story clustering puts them in one story;
- "agency": an agency text about DeepSeek run by Golem, copied exactly by t3n and, with a new
  intro line, by Zeit: one article and two duplicates (aliases), three outlets, one text;
- "nvidia", "hostile", "quiet": single articles, in descending topic score; "hostile" has the
  title ``<script>alert(1)</script>`` …;
- "offtopic": an article of the week scored not relevant;
- "lastweek": a relevant article of the week before (for the week-over-week count), from a
  source that is silent this week; "nextweek": one of the week after.

Topic scores are written the way the ingest's scoring step stores them
(``newsmon.topics.scores_record``). The tests here check the selection itself; the other
``test_digest_*`` files import the fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from newsmon.config import Config
from newsmon.dates import FoundDate
from newsmon.extract import Article as CleanArticle
from newsmon.extract import RawDocument
from newsmon.ingest import Ingestor
from newsmon.store.db import Store
from newsmon.store.models import Article, Source
from newsmon.topics import Contribution, TopicProfile, TopicScore, load_topics, scores_record
from reports.selection import select_week
from reports.weeks import IsoWeek

TOPIC = "ki-wettlauf-usa-china"
WEEK = IsoWeek(2026, 3)
BERLIN = ZoneInfo("Europe/Berlin")
HOSTILE_TITLE = "<script>alert(1)</script> & Co: Chinas KI-Labore holen auf"
RECIPIENTS = ("anna@example.org", "ben@example.org")
#: A Monday morning after the week: the job's "now".
JOB_NOW = datetime(2026, 1, 19, 6, 0, tzinfo=BERLIN)

EXPORT_TEXTS = {
    "heise": (
        "Washington verschärft Exportkontrollen: Huawei Ascend 910C und SMIC im Visier",
        "Das US-Handelsministerium hat am Dienstag neue Exportkontrollen gegen Huawei erlassen. "
        "Betroffen sind die KI-Beschleuniger der Serie Ascend 910C, die der Auftragsfertiger SMIC "
        "im 7-Nanometer-Verfahren in Shanghai herstellt. Handelsminister Howard Lutnick sagte, die "
        "Ascend-Chips dürften weltweit nicht mehr mit amerikanischer Software betrieben werden. "
        "Huawei reagierte zunächst nicht. Fachleute erwarten, dass Peking die Lieferungen von "
        "Gallium und Germanium weiter drosselt.",
    ),
    "spiegel": (
        "Lutnick gegen Huawei: Amerika sperrt die Ascend-Chips",
        "Handelsminister Howard Lutnick greift durch: Wer Huaweis Ascend 910C nutzt, verstößt "
        "künftig gegen amerikanische Exportkontrollen. Die Regel des US-Handelsministeriums zielt "
        "auf die Chips, die SMIC in Shanghai im 7-Nanometer-Verfahren fertigt. In Shenzhen gibt man "
        "sich gelassen, doch für Huawei und SMIC wird der Zugang zu Maschinen und Software noch "
        "enger. Auch Gallium und Germanium könnten wieder zum Druckmittel Pekings werden.",
    ),
    "handelsblatt": (
        "Neue US-Regeln treffen Huawei und SMIC",
        "Die Exportkontrollen des US-Handelsministeriums gegen den Ascend 910C von Huawei setzen "
        "Chinas Chipindustrie unter Druck. SMIC fertigt den Beschleuniger in Shanghai im "
        "7-Nanometer-Verfahren; Minister Howard Lutnick will jede Nutzung der Ascend-Chips mit "
        "amerikanischer Technik unterbinden. Analysten rechnen mit Umsatzeinbußen bei Huawei und "
        "mit Gegenmaßnahmen Pekings bei Gallium und Germanium.",
    ),
}
AGENCY = (
    "DeepSeek stellt R2 vor: Reasoning-Modell aus Hangzhou",
    "Das chinesische KI-Labor DeepSeek aus Hangzhou hat sein Reasoning-Modell R2 veröffentlicht. "
    "Nach Angaben des Unternehmens von Gründer Liang Wenfeng erreicht R2 in Mathematik- und "
    "Programmier-Benchmarks die Werte amerikanischer Spitzenmodelle, wurde aber mit deutlich "
    "weniger Rechenleistung trainiert. Die Gewichte stehen unter einer offenen Lizenz zum "
    "Download bereit. Beobachter in Washington sehen darin einen weiteren Beleg, dass die "
    "Exportbeschränkungen für Grafikprozessoren Chinas Fortschritt kaum bremsen.",
)
SINGLES = {
    "nvidia": (
        "Nvidia darf H20 wieder nach China liefern",
        "Nvidia erhält die Lizenz, den Grafikprozessor H20 wieder an Kunden in der Volksrepublik zu "
        "verkaufen. Konzernchef Jensen Huang hatte monatelang in Washington dafür geworben. Im "
        "Gegenzug soll ein Teil der Umsätze an die amerikanische Regierung fließen, ein bislang "
        "einmaliges Arrangement. Alibaba, Tencent und ByteDance gelten als die größten Abnehmer "
        "der abgespeckten Rechenzentrumschips.",
    ),
    "hostile": (
        HOSTILE_TITLE,
        "Moonshot, Zhipu und MiniMax veröffentlichen in rascher Folge neue Sprachmodelle mit "
        "offenen Gewichten. Kimi K2 von Moonshot liegt in mehreren Ranglisten vor westlichen "
        "Konkurrenten, GLM von Zhipu wird in Behörden eingesetzt. Investoren in Peking sprechen von "
        "einem zweiten DeepSeek-Moment. Die Labore werben vor allem mit niedrigen Preisen pro "
        "Million Token und mit Modellen, die auf eigener Hardware laufen.",
    ),
    "quiet": (
        "Stargate-Rechenzentrum in Texas nimmt Betrieb auf",
        "OpenAI, Oracle und SoftBank haben in Abilene den ersten Bauabschnitt ihres Stargate-"
        "Rechenzentrums in Betrieb genommen. Die Anlage soll nach dem Ausbau mehr als ein Gigawatt "
        "Leistung aufnehmen. Das Projekt gilt in Washington als Antwort auf die chinesischen "
        "Investitionen in Rechenleistung; Kritiker verweisen auf den enormen Wasserverbrauch der "
        "Kühlung in der texanischen Steppe.",
    ),
    "offtopic": (
        "Bundesliga: Bayern gewinnt das Spitzenspiel in Dortmund",
        "Der FC Bayern hat das Spitzenspiel bei Borussia Dortmund mit drei zu eins gewonnen. Harry "
        "Kane traf doppelt, Jamal Musiala bereitete beide Tore vor. Dortmunds Trainer zeigte sich "
        "nach dem Schlusspfiff enttäuscht über die zweite Halbzeit seiner Mannschaft. Die Bayern "
        "bauen ihren Vorsprung an der Tabellenspitze damit auf sieben Punkte aus.",
    ),
    "lastweek": (
        "Baidu zeigt Ernie 5 auf eigener Hardware",
        "Baidu hat in Peking die fünfte Generation seines Sprachmodells Ernie vorgestellt. Das "
        "Modell wurde nach Angaben des Konzerns vollständig auf Kunlun-Chips aus eigener Entwicklung "
        "trainiert. Damit will Baidu zeigen, dass chinesische Anbieter die amerikanischen "
        "Exportkontrollen umgehen können, ohne auf Nvidia angewiesen zu sein.",
    ),
    "nextweek": (
        "Tencent kündigt Hunyuan-Update an",
        "Tencent hat für Februar eine neue Version seines Modells Hunyuan angekündigt. Das Update "
        "soll vor allem längere Texte und Videos verarbeiten können. Tencent gehört zu den größten "
        "Käufern von Nvidia-Chips in China und baut zugleich eigene Beschleuniger für seine "
        "Rechenzentren in Shenzhen und Guangzhou.",
    ),
}


@dataclass(frozen=True)
class Planted:
    """What one fixture document is: its key, outlet host, time, score and stored article id."""

    key: str
    source: str
    host: str
    when: datetime
    score: float
    relevant: bool
    article_id: int | None = None


def _local(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


#: (key, source name, host, local publication time, score, relevant) per stored text.
PLAN = [
    ("export-heise", "heise-news", "www.heise.de", _local(13, 9, 30), 0.78, True),
    ("export-spiegel", "spiegel-sitemap", "www.spiegel.de", _local(13, 14, 5), 0.74, True),
    ("export-handelsblatt", "handelsblatt-feed", "www.handelsblatt.com", _local(14, 7, 45), 0.69, True),
    ("agency", "golem-news", "www.golem.de", _local(15, 11, 0), 0.71, True),
    ("nvidia", "tagesschau-feed", "www.tagesschau.de", _local(16, 18, 20), 0.83, True),
    ("hostile", "t3n-feed", "t3n.de", _local(17, 10, 0), 0.66, True),
    ("quiet", "zeit-feed", "www.zeit.de", _local(18, 20, 15), 0.55, True),
    ("offtopic", "sport-feed", "www.kicker.de", _local(14, 22, 0), 0.05, False),
    ("lastweek", "netzpolitik-feed", "netzpolitik.org", _local(8, 12, 0), 0.6, True),
    ("nextweek", "heise-news", "www.heise.de", _local(20, 9, 0), 0.7, True),
]
#: The agency text's copies: (source, host, first line added) – each becomes an alias of "agency".
COPIES = [("t3n-feed", "t3n.de", ""), ("zeit-feed", "www.zeit.de", "Hangzhou (dpa) – ")]
EXPECTED_ORDER = ["export", "agency", "nvidia", "hostile", "quiet"]


def _text(key: str) -> tuple[str, str]:
    if key.startswith("export-"):
        return EXPORT_TEXTS[key.removeprefix("export-")]
    if key == "agency":
        return AGENCY
    return SINGLES[key]


def _clean(title: str, text: str, url: str, when: datetime) -> CleanArticle:
    return CleanArticle(
        url=url,
        title=title,
        text=text,
        language="de",
        published=FoundDate(when, "minute", "fixture"),
        title_origin="fixture",
    )


def _score(score: float, relevant: bool) -> dict[str, object]:
    explanation = (
        Contribution("Exportkontrollen", round(score * 0.5, 4)),
        Contribution("China", round(score * 0.3, 4)),
        Contribution("similarity to reference documents", round(score * 0.2, 4)),
    )
    return scores_record([TopicScore(TOPIC, score, 0.5, relevant, explanation)])


def plant_week(store: Store, config: Config) -> dict[str, Planted]:
    """Store the fixture week; returns what was planted by key (with article ids)."""
    ingestor = Ingestor(store, config)
    planted: dict[str, Planted] = {}
    for key, source, host, when, score, relevant in PLAN:
        title, text = _text(key)
        url = f"https://{host}/news/{key}.html"
        document = RawDocument(url, text, "text", source=source, fetched_at=when.astimezone(UTC))
        result = ingestor.ingest(document, article=_clean(title, text, url, when))
        assert result.status == "stored", (key, result)
        planted[key] = Planted(key, source, host, when, score, relevant, result.article_id)
    for source, host, intro in COPIES:
        title, text = AGENCY
        url = f"https://{host}/news/deepseek-r2.html"
        when = planted["agency"].when
        document = RawDocument(url, intro + text, "text", source=source, fetched_at=when.astimezone(UTC))
        result = ingestor.ingest(document, article=_clean(title, intro + text, url, when))
        assert (result.status, result.duplicate_of) == ("duplicate", planted["agency"].article_id), result
    with store.engine.begin() as connection:
        for item in planted.values():
            connection.execute(
                update(Article)
                .where(Article.id == item.article_id)
                .values(topic_scores=_score(item.score, item.relevant))
            )
        connection.execute(update(Source).where(Source.name == "heise-news").values(outlet="heise online"))
        connection.execute(
            update(Source)
            .where(Source.name == "golem-news")
            .values(consecutive_failures=3, last_error="HTTP 503 Service Unavailable")
        )
    return planted


def fixture_profile(recipients: tuple[str, ...] = RECIPIENTS) -> TopicProfile:
    """The shipped topic with recipients (the shipped file has none)."""
    profile = next(profile for profile in load_topics() if profile.name == TOPIC)
    return replace(profile, recipients=recipients)


@pytest.fixture(name="week")
def week_fixture(store: Store, config: Config) -> dict[str, Planted]:
    """The planted week (other test files import this as their ``week`` fixture)."""
    return plant_week(store, config)


def story_keys(stories: list, planted: dict[str, Planted]) -> list[str]:  # type: ignore[type-arg]
    """The fixture keys (export, agency, …) of selected stories, in order."""
    by_id = {item.article_id: key.split("-")[0] for key, item in planted.items()}
    return [by_id[story.best.id] for story in stories]


def test_the_export_story_was_clustered_from_three_texts(store: Store, week: dict[str, Planted]) -> None:
    with store.session() as session:
        story_ids = session.scalars(
            select(Article.story_id).where(
                Article.id.in_([week[k].article_id for k in week if "export" in k])
            )
        ).all()
    assert len(set(story_ids)) == 1


def test_selection_ranks_by_outlets_then_diversity_then_score(store: Store, week: dict[str, Planted]) -> None:
    with store.session() as session:
        selection = select_week(session, TOPIC, WEEK, BERLIN)
    assert story_keys(selection.stories, week) == EXPECTED_ORDER
    export, agency = selection.stories[0], selection.stories[1]
    assert [outlet.name for outlet in export.outlets] == ["heise online", "spiegel.de", "handelsblatt.com"]
    assert (len(export.outlets), export.independent_outlets) == (3, 3)
    assert [outlet.name for outlet in agency.outlets] == ["golem.de", "t3n.de", "zeit.de"]
    assert (len(agency.outlets), agency.independent_outlets, len(agency.articles)) == (3, 1, 1)
    # the duplicate is one article; copies are outlets, not articles
    assert selection.article_count == 7
    assert selection.outlet_count == 7  # heise, spiegel, handelsblatt, golem, t3n, zeit, tagesschau
    assert selection.previous_articles == 1
    assert selection.daily == [0, 2, 1, 1, 1, 1, 1]
    assert export.best.id == week["export-heise"].article_id  # highest score of the three


def test_an_empty_week_selects_nothing(store: Store, week: dict[str, Planted]) -> None:
    with store.session() as session:
        selection = select_week(session, TOPIC, IsoWeek(2025, 40), BERLIN)
    assert (selection.stories, selection.daily, selection.previous_articles) == ([], [0] * 7, 0)


def test_week_bounds_follow_the_local_time_zone() -> None:
    start, end = WEEK.bounds(BERLIN)
    assert (start, end) == (datetime(2026, 1, 11, 23, 0), datetime(2026, 1, 18, 23, 0))
    assert IsoWeek.last_complete(JOB_NOW, BERLIN) == WEEK
    # Sunday 23:30 in Berlin belongs to week 3 (so the last complete one is week 2), whatever UTC says
    assert IsoWeek.last_complete(datetime(2026, 1, 18, 23, 30, tzinfo=BERLIN), BERLIN) == IsoWeek(2026, 2)
    assert str(IsoWeek.parse("2026-W03")) == "2026-W03"
    assert IsoWeek(2026, 1).previous() == IsoWeek(2025, 52)
