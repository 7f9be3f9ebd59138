"""Full-text search on SQLite (FTS5) and PostgreSQL (german tsvector) through one interface.

The articles go in through the Ingestor, the path `newsmon import` and the crawler take, so the
index is shown to follow the real insert path and not only hand-written rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import delete, insert, update

from newsmon.config import Config
from newsmon.dates import FoundDate
from newsmon.extract import Article as CleanArticle
from newsmon.extract import RawDocument
from newsmon.ingest import Ingestor
from newsmon.search import (
    MATCH_END,
    MATCH_START,
    SearchQueryError,
    count_matches,
    parse_query,
    search_articles,
    spellings,
)
from newsmon.store.db import Store, _alembic_config, create_store_engine, upgrade
from newsmon.store.models import Article
from newsmon.store.queries import ArticleFilter

TZ = ZoneInfo("Europe/Berlin")
# filler words: none of them is searched for, so only the planted sentences decide what matches
FILLER = """Bericht Woche Regierung Stadt Land Jahr Menschen Arbeit Zeit Bürger Schule Haus Weg
Geld Frage Antwort Politik Verkehr Wetter Sommer Winter Abend Morgen Zukunft Plan Rat Markt
Kosten Preis Firma Kunde Team Leute Kinder Eltern Kreis Gemeinde Amt Büro Projekt Idee Ziel
Ende Anfang Teil Gruppe Sitzung Beschluss Antrag Kritik Lösung Hilfe Dienst Netz Zahl Wert
klein groß neu alt gut schnell langsam früh spät hoch tief stark schwach wichtig möglich""".split()


@dataclass(frozen=True)
class Doc:
    key: str
    title: str
    planted: str  # the sentence the test searches for, put into the middle of filler text
    published: date


DOCS = [
    Doc("umlaut", "Anwohner melden", "Herr Müller wohnt an der Straße beim Rathaus.", date(2026, 1, 10)),
    Doc("spelled", "Anwohner schreiben", "Frau Mueller wohnt an der Strasse am Bahnhof.", date(2026, 1, 11)),
    Doc("city", "Neue Chipfabrik in München", "Die Fabrik soll bald eröffnen.", date(2026, 1, 12)),
    Doc("phrase", "Rechenzentrum", "Der Konzern setzt auf Huawei Ascend Prozessoren.", date(2026, 2, 1)),
    Doc("apart", "Konkurrenz", "Huawei verkauft Telefone, Ascend heißt ein Gipfel.", date(2025, 6, 1)),
    Doc("prefix", "Industrie", "Die Halbleiterindustrie wächst, sagt der Vorsitzende.", date(2026, 2, 2)),
    Doc("title", "Lithium wird knapp", "Die Batteriehersteller suchen Ersatz.", date(2026, 2, 3)),
    Doc("body", "Rohstoffe", "Lithium hier, Lithium dort, Lithium überall.", date(2026, 2, 4)),
]


def _body(doc: Doc) -> str:
    rng = random.Random(doc.key)
    words = [rng.choice(FILLER) for _ in range(120)]
    return f"{' '.join(words[:60])}. {doc.planted} {' '.join(words[60:])}."


def ingest(store: Store, config: Config, docs: list[Doc]) -> dict[str, int]:
    """Store the documents through the Ingestor; returns the article id of each key."""
    ingestor = Ingestor(store, config)
    ids = {}
    for doc in docs:
        url = f"https://news.example/{doc.key}.html"
        when = datetime(doc.published.year, doc.published.month, doc.published.day, 12, tzinfo=TZ)
        article = CleanArticle(
            url, doc.title, _body(doc), "de", FoundDate(when, "minute", "fixture"), title_origin="fixture"
        )
        document = RawDocument(url, article.text, "text", fetched_at=when.astimezone(UTC))
        result = ingestor.ingest(document, article)
        assert result.status == "stored", result
        assert result.article_id is not None
        ids[doc.key] = result.article_id
    return ids


@pytest.fixture
def corpus(store: Store, config: Config) -> dict[str, int]:
    return ingest(store, config, DOCS)


def found(store: Store, query: str, **filters: object) -> list[int]:
    with store.session() as session:
        return [row["id"] for row in search_articles(session, ArticleFilter(query=query, **filters), TZ)]


def keys(corpus: dict[str, int], ids: list[int]) -> set[str]:
    by_id = {article_id: key for key, article_id in corpus.items()}
    return {by_id[article_id] for article_id in ids}


@pytest.mark.parametrize("query", ["Müller", "Mueller", "MÜLLER", "Straße", "Strasse", "STRASSE"])
def test_umlauts_and_sharp_s_are_found_in_both_spellings(
    store: Store, corpus: dict[str, int], query: str
) -> None:
    assert keys(corpus, found(store, query)) == {"umlaut", "spelled"}


def test_a_word_without_its_umlaut_finds_the_umlaut_form(store: Store, corpus: dict[str, int]) -> None:
    assert keys(corpus, found(store, "Munchen")) == {"city"}
    assert keys(corpus, found(store, "München")) == {"city"}


def test_phrase_needs_the_words_together_and_in_order(store: Store, corpus: dict[str, int]) -> None:
    assert keys(corpus, found(store, '"Huawei Ascend"')) == {"phrase"}
    assert keys(corpus, found(store, "Huawei Ascend")) == {"phrase", "apart"}
    assert found(store, '"Ascend Huawei"') == []


def test_prefix_finds_longer_words(store: Store, corpus: dict[str, int]) -> None:
    assert keys(corpus, found(store, "Halbleiter*")) == {"prefix"}
    assert found(store, "Halbleiter") == []
    assert keys(corpus, found(store, '"Huawei Asc*"')) == {"phrase"}
    assert keys(corpus, found(store, "vor*")) == {"prefix"}  # a stop word on PostgreSQL, as a prefix too


def test_stop_words_do_not_hide_the_other_words(store: Store, corpus: dict[str, int]) -> None:
    assert keys(corpus, found(store, "der Vorsitzende")) == {"prefix"}


def test_date_and_topic_filters_apply_to_the_search(store: Store, corpus: dict[str, int]) -> None:
    assert keys(corpus, found(store, "Huawei", since=date(2026, 1, 1))) == {"phrase"}
    assert keys(corpus, found(store, "Huawei", until=date(2025, 12, 31))) == {"apart"}
    with store.engine.begin() as connection:
        connection.execute(
            update(Article)
            .where(Article.id == corpus["apart"])
            .values(topic_scores={"chips": {"score": 0.8, "relevant": True}})
        )
        connection.execute(
            update(Article)
            .where(Article.id == corpus["phrase"])
            .values(topic_scores={"chips": {"score": 0.1, "relevant": False}})
        )
    assert keys(corpus, found(store, "Huawei", topic="chips")) == {"apart"}
    assert found(store, "Huawei", topic="other") == []


def test_a_title_match_ranks_first(store: Store, corpus: dict[str, int]) -> None:
    with store.session() as session:
        rows = search_articles(session, ArticleFilter(query="Lithium"), TZ)
    assert [row["id"] for row in rows] == [corpus["title"], corpus["body"]]
    assert rows[0]["rank"] > rows[1]["rank"] > 0


def test_results_are_summaries_with_a_highlighted_snippet(store: Store, corpus: dict[str, int]) -> None:
    with store.session() as session:
        (row,) = search_articles(session, ArticleFilter(query="Strasse beim Rathaus"), TZ)
    assert row["id"] == corpus["umlaut"]
    assert row["title"] == "Anwohner melden"
    assert row["published_at"].startswith("2026-01-10")
    assert (row["read"], row["starred"], row["marks"]) == (False, False, {})
    assert f"{MATCH_START}Straße{MATCH_END}" in row["snippet"]
    assert f"{MATCH_START}Rathaus{MATCH_END}" in row["snippet"]
    assert isinstance(row["rank"], float)


def test_paging_and_counting(store: Store, corpus: dict[str, int]) -> None:
    query = "wohnt"
    with store.session() as session:
        assert count_matches(session, ArticleFilter(query=query), TZ) == 2
        assert count_matches(session, ArticleFilter(query=query, since=date(2026, 1, 11)), TZ) == 1
        first = search_articles(session, ArticleFilter(query=query, limit=1), TZ)
        second = search_articles(session, ArticleFilter(query=query, limit=1, offset=1), TZ)
    assert len(first) == len(second) == 1
    assert {first[0]["id"], second[0]["id"]} == {corpus["umlaut"], corpus["spelled"]}


def test_the_index_follows_updates_and_deletes(store: Store, corpus: dict[str, int]) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            update(Article).where(Article.id == corpus["city"]).values(title="Neue Chipfabrik in Dresden")
        )
    assert found(store, "München") == []
    assert found(store, "Dresden") == [corpus["city"]]
    with store.engine.begin() as connection:
        connection.execute(update(Article).where(Article.id == corpus["title"]).values(topic_scores={}))
        connection.execute(delete(Article).where(Article.id == corpus["body"]))
    assert found(store, "Lithium") == [corpus["title"]]  # an update of other columns keeps its entry
    with store.session() as session:
        assert count_matches(session, ArticleFilter(query="Lithium"), TZ) == 1


@pytest.mark.parametrize(
    "query",
    [
        'Huawei "Ascend',  # unbalanced quote
        '"',
        "* - + ( ) : ^",  # operators and nothing else
        "",
        "ab*",  # a two-letter prefix would match much of the vocabulary
    ],
)
def test_malformed_queries_are_a_clear_error(store: Store, corpus: dict[str, int], query: str) -> None:
    with store.session() as session, pytest.raises(SearchQueryError) as error:
        search_articles(session, ArticleFilter(query=query), TZ)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "query",
    [
        "Huawei AND",
        "OR Huawei",
        "NOT Huawei",
        "NEAR(Huawei Ascend)",
        "title:Huawei",
        "Huawei^ -Ascend +Prozessoren",
        "Huawei' OR 1=1 --",
        "Huawei & | ! <-> :*",
        "(Huawei",
        "*Huawei",
        "Hua*wei",
        '"Huawei" "Ascend"',
    ],
)
def test_database_syntax_in_a_query_is_only_separators(
    store: Store, corpus: dict[str, int], query: str
) -> None:
    """Each of these would be a syntax error or an operator in FTS5 or tsquery syntax."""
    assert corpus["phrase"] in found(store, query) or found(store, query) == []


def test_operator_characters_do_not_change_the_words(store: Store, corpus: dict[str, int]) -> None:
    assert found(store, "title:Huawei (Ascend)") == found(store, "title Huawei Ascend")
    assert keys(corpus, found(store, "-Huawei +Ascend")) == {"phrase", "apart"}


def test_articles_stored_before_the_index_existed_are_searchable(db_url: str, config: Config) -> None:
    engine = create_store_engine(db_url)
    try:
        upgrade(engine, "0006")
        now = datetime(2026, 1, 5)
        with engine.begin() as connection:
            connection.execute(
                insert(Article),
                {
                    "canonical_url": "https://old.example/a",
                    "url": "https://old.example/a",
                    "title": "Ein Artikel von früher",
                    "title_origin": "fixture",
                    "text": "Er erwähnt die Fußgängerzone und sonst wenig.",
                    "published_at": now,
                    "authors": [],
                    "fetched_at": now,
                    "content_hash": "old",
                    "word_count": 8,
                    "shingle_count": 5,
                    "minhash": b"",
                    "story_terms": {},
                },
            )
        upgrade(engine)
        store = Store(engine)
        assert len(found(store, "Fussgaengerzone")) == 1
        alembic = _alembic_config()
        with engine.begin() as connection:
            alembic.attributes["connection"] = connection
            command.downgrade(alembic, "0006")
        upgrade(engine)
        assert len(found(store, "Fußgängerzone")) == 1
    finally:
        engine.dispose()


def test_query_reading() -> None:
    assert [(t.words, t.prefix) for t in parse_query('Huawei "Ascend 910*" energ* COVID-19')] == [
        (("huawei",), False),
        (("ascend", "910"), True),
        (("energ",), True),
        (("covid", "19"), False),
    ]
    assert spellings("müller") == ["müller", "mueller"]
    assert spellings("mueller") == ["mueller", "müller"]
    assert spellings("straße") == ["straße", "strasse"]
    assert set(spellings("strasse")) == {"strasse", "straße"}
    assert spellings("neue") == ["neue"]  # ue after a vowel is no umlaut
    assert spellings("quelle") == ["quelle"]


def test_a_broad_query_ranks_the_newest_matches_and_pages_through_all(
    store: Store, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more matches than the rank window, the newest are ranked and the older follow."""
    docs = [Doc("oldest", "Windpark vor der Küste", "Ein Bau beginnt.", date(2026, 3, 1))] + [
        Doc(f"later{n}", f"Meldung {n}", "Der Windpark wächst.", date(2026, 3, 2 + n)) for n in range(4)
    ]
    ids = ingest(store, config, docs)
    with store.session() as session:
        ranked_all = search_articles(session, ArticleFilter(query="Windpark", limit=None), TZ)
    assert ranked_all[0]["id"] == ids["oldest"]  # the title match, ranked among all
    monkeypatch.setattr("newsmon.search.RANK_WINDOW", 2)
    with store.session() as session:
        unlimited = ArticleFilter(query="Windpark", limit=None)
        everything = [row["id"] for row in search_articles(session, unlimited, TZ)]
        pages = [
            row["id"]
            for offset in (0, 2, 4)
            for row in search_articles(session, ArticleFilter(query="Windpark", limit=2, offset=offset), TZ)
        ]
        assert count_matches(session, ArticleFilter(query="Windpark"), TZ) == 5
        filtered = ArticleFilter(query="Windpark", since=date(2026, 3, 1), limit=None)
        assert [row["id"] for row in search_articles(session, filtered, TZ)] == everything
        early = ArticleFilter(query="Windpark", until=date(2026, 3, 2), limit=None)  # two: both ranked
        assert [row["id"] for row in search_articles(session, early, TZ)] == [ids["oldest"], ids["later0"]]
    newest = sorted(ids.values())[-2:]
    assert set(everything[:2]) == set(newest)
    assert everything[2:] == sorted(set(ids.values()) - set(newest), reverse=True)
    assert pages == everything
