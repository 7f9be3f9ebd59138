"""Full-text search over stored articles: one query language, one result shape, two databases.

The query language: words (all must occur), "quoted phrases", ``word*`` for words beginning
with ``word``. Everything else (``+ - ( ) : ^``, operators of either database's own syntax) is
just a separator, because the query is rebuilt from its words and never handed to the database
as typed; so no query can cause a database error. An unclosed quote or a query without words is
a ``SearchQueryError``.

German spellings: "Müller" is also written "Mueller", "Straße" also "Strasse". Each query word
is expanded into its spellings (``spellings``) and any of them matches; the indexes store the
text once, as written (SQLite: FTS5 with diacritics removed, so "Muller"/"Munchen" find the
umlaut forms too; PostgreSQL: the german configuration, whose stemmer folds ß and umlauts).

Results are the list summaries plus ``rank`` (higher is better: bm25 with the title weighted
ten times on SQLite, ts_rank_cd with the title weighted five times on PostgreSQL) and
``snippet``, an excerpt of the text with matched words between ``MATCH_START`` and
``MATCH_END``, which the CLI and the web turn into their own highlighting after escaping the text.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table
from sqlalchemy.orm import Session

from newsmon.errors import NewsmonError
from newsmon.store.models import Article
from newsmon.store.queries import (
    ArticleFilter,
    apply_filters,
    day_bound_utc,
    id_conditions,
    paged,
    row_conditions,
    summaries_by_id,
)

MATCH_START = "\x02"
MATCH_END = "\x03"
SNIPPET_WORDS = 30
MAX_SPELLINGS = 8  # per word
MAX_ALTERNATIVES = 32  # per term (a phrase multiplies its words' spellings)
MIN_PREFIX = 3  # letters before '*' (the SQLite index keeps prefixes of 3 and 4 letters)
MAX_DATE_TOKENS = 200  # a longer range is checked on the rows alone (see date_tokens)
RANK_WINDOW = 2_000  # at most this many matches are ranked: the newest (see _ranked_page)

SEARCH_INDEX_TABLE = "articles_fts"  # SQLite (with its shadow tables articles_fts_*)
SEARCH_DATES_COLUMN = "search_dates"  # SQLite: a generated column of articles, indexed by FTS5
SEARCH_VECTOR_COLUMN = "search_vector"  # PostgreSQL, a generated column of articles
SEARCH_VECTOR_INDEX = "ix_articles_search_vector"  # its GIN index

WORD = re.compile(r"[^\W_]+")
_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue"}
_SPELLED_OUT = {"ae": "ä", "oe": "ö", "ue": "ü"}
_VOWELS = set("aeiouäöüy")


def is_search_index(name: str | None) -> bool:
    """Whether a table or column name belongs to the full-text index, which the migrations create
    outside the models (the models describe what both databases share; schema comparisons skip it)."""
    generated = (SEARCH_DATES_COLUMN, SEARCH_VECTOR_COLUMN, SEARCH_VECTOR_INDEX)
    return name in generated or str(name).startswith(SEARCH_INDEX_TABLE)


def date_tokens(first: date, last: date) -> list[str]:
    """The SQLite index's date tokens covering the days ``first`` to ``last``: "m202503" for a
    whole month, "w202509" for a whole week (numbered as strftime's %W: Monday first, the days
    before a year's first Monday are its week 00), "d20250301" for any other day. Each article
    carries the tokens of its publication day, week and month (migration 0009); fewer tokens make
    a cheaper query. Empty when the range needs more than MAX_DATE_TOKENS, which leaves the
    range to be checked on the rows."""
    tokens: list[str] = []
    day = first
    while day <= last:
        next_month = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        # a week ends on Sunday or, for the year's last, on 31 December
        next_week = min(day + timedelta(days=7 - day.weekday()), date(day.year + 1, 1, 1))
        if day.day == 1 and next_month - timedelta(days=1) <= last:
            tokens.append(f"m{day:%Y%m}")
            day = next_month
        elif (day.weekday() == 0 or (day.month, day.day) == (1, 1)) and next_week - timedelta(days=1) <= last:
            tokens.append(f"w{day:%Y%W}")
            day = next_week
        else:
            tokens.append(f"d{day:%Y%m%d}")
            day += timedelta(days=1)
        if len(tokens) > MAX_DATE_TOKENS:
            return []
    return tokens


class SearchQueryError(NewsmonError):
    """A search query cannot be read (the message says why and how to write it)."""


@dataclass(frozen=True)
class Term:
    """One condition of a query: a word, or a phrase of words in this order."""

    words: tuple[str, ...]
    prefix: bool = False  # the last word is a beginning


def parse_query(query: str) -> list[Term]:
    """The terms of ``query``; SearchQueryError when a quote is not closed or nothing is left."""
    if query.count('"') % 2:
        raise SearchQueryError(f'the quote at position {query.rindex(chr(34)) + 1} is not closed: {query!r}')
    terms: list[Term] = []
    for number, part in enumerate(query.split('"')):
        chunks = [part] if number % 2 else part.split()
        for chunk in chunks:
            words = tuple(word.lower() for word in WORD.findall(chunk))
            if not words:
                continue
            prefix = chunk.rstrip().endswith("*") and bool(WORD.search(chunk.rstrip()[-2:-1]))
            if prefix and len(words[-1]) < MIN_PREFIX:
                raise SearchQueryError(
                    f"'{words[-1]}*' is too short: a prefix needs at least {MIN_PREFIX} letters before '*'"
                )
            terms.append(Term(words, prefix))
    if not terms:
        raise SearchQueryError(f"the query {query!r} has no words to search for")
    return terms


def spellings(word: str) -> list[str]:
    """``word`` as German writes it with and without umlauts and ß (lower case, itself first).

    "müller" → müller, mueller; "mueller" → mueller, müller; "straße" ↔ "strasse". An "ue" after
    a vowel or q is never an umlaut (neue, Steuer, Quelle), so it is left alone.
    """
    options: list[list[str]] = []
    position = 0
    while position < len(word):
        pair = word[position : position + 2]
        previous = word[position - 1] if position else ""
        if word[position] in _UMLAUTS:
            options.append([word[position], _UMLAUTS[word[position]]])
        elif word[position] == "ß":
            options.append(["ß", "ss"])
        elif pair == "ss":
            options.append(["ss", "ß"])
            position += 1
        elif pair in _SPELLED_OUT and previous not in _VOWELS and previous != "q":
            options.append([pair, _SPELLED_OUT[pair]])
            position += 1
        else:
            options.append([word[position]])
        position += 1
    return ["".join(parts) for parts in itertools.islice(itertools.product(*options), MAX_SPELLINGS)]


def alternatives(term: Term) -> list[tuple[str, ...]]:
    """The spellings of a term: every combination of its words' spellings (at most a few dozen)."""
    return list(itertools.islice(itertools.product(*map(spellings, term.words)), MAX_ALTERNATIVES))


@dataclass(frozen=True)
class _Syntax:
    """How a database's query language writes quoted words, phrases, prefixes and OR.

    Every word is quoted, and words hold only letters and digits (``WORD``), so the rendered
    query contains no operator the user typed."""

    quote: str
    then: str  # between the words of a phrase
    prefix: str  # after a prefix word
    any_of: str

    def term(self, term: Term) -> str:
        """One term: its spellings, any of which may match."""

        def phrase(words: tuple[str, ...]) -> str:
            quoted = self.then.join(f"{self.quote}{word}{self.quote}" for word in words)
            return quoted + (self.prefix if term.prefix else "")

        return "(" + self.any_of.join(phrase(words) for words in alternatives(term)) + ")"


class _Dialect(Protocol):
    def matches(
        self, session: Session, filters: ArticleFilter, tz: ZoneInfo, terms: list[Term]
    ) -> Select[Any]:
        """The ids of the matching articles that pass the filters (one column)."""
        ...

    def rank(self, terms: list[Term]) -> ColumnElement[float]: ...

    def newest(self, matches: Select[Any], terms: list[Term], count: int) -> Select[Any]:
        """(id, relevance) of the ``count`` newest matches (highest ids)."""
        ...

    def snippets(self, session: Session, terms: list[Term], ids: list[int]) -> dict[int, str]: ...


_FTS = table(SEARCH_INDEX_TABLE, column("rowid"))


class _SQLite:
    """FTS5: a MATCH expression of quoted strings (FTS5 syntax cannot be injected through them)."""

    SYNTAX = _Syntax(quote='"', then=" + ", prefix="*", any_of=" OR ")
    TITLE_WEIGHT = 10.0  # bm25 weight of the title column against the text's 1.0

    def _match(self, terms: list[Term], dates: list[str] | None = None) -> ColumnElement[bool]:
        """The words in the title or text, and with ``dates`` (see ``date_tokens``) any of them."""
        expression = "{title text} : (" + " AND ".join(map(self.SYNTAX.term, terms)) + ")"
        if dates:
            any_date = " OR ".join(f'"{token}"' for token in dates)
            expression += f" AND {SEARCH_DATES_COLUMN} : ({any_date})"
        return literal_column(SEARCH_INDEX_TABLE).op("MATCH")(expression)

    def matches(
        self, session: Session, filters: ArticleFilter, tz: ZoneInfo, terms: list[Term]
    ) -> Select[Any]:
        # Article rows are read only for filters on their columns (dates, source...), and with a
        # date range only for the candidates the index finds in the range's days: the exact
        # bounds in the reader's time zone are checked on those. The topic and the marks are
        # index probes by id; without filters the index alone answers.
        dates = self._date_tokens(session, filters, tz)
        query = select(_FTS.c.rowid.label("id")).where(self._match(terms, dates))
        on_rows = row_conditions(filters, tz)
        if on_rows:
            query = query.join(Article, Article.id == _FTS.c.rowid).where(*on_rows)
        return query.where(*id_conditions(filters, _FTS.c.rowid))

    @staticmethod
    def _date_tokens(session: Session, filters: ArticleFilter, tz: ZoneInfo) -> list[str]:
        """The index tokens of the UTC days that the filter's date range touches, bounded by the
        store's first and last date (an open end reaches no further); none without a range."""
        if not (filters.since or filters.until):
            return []
        # one aggregate per query: only alone is a min() or max() a single index lookup
        first = session.scalar(select(func.min(Article.published_at)))
        last = session.scalar(select(func.max(Article.published_at)))
        if first is None or last is None:
            return []
        start = max(first, day_bound_utc(filters.since, tz)) if filters.since else first
        end = min(last, day_bound_utc(filters.until, tz, end=True)) if filters.until else last
        return date_tokens(start.date(), end.date())

    def rank(self, terms: list[Term]) -> ColumnElement[float]:
        # bm25 is lower for better matches; negated so that every dialect ranks higher = better
        return -func.bm25(literal_column(SEARCH_INDEX_TABLE), self.TITLE_WEIGHT, 1.0, 0.0)  # dates: 0

    def newest(self, matches: Select[Any], terms: list[Term], count: int) -> Select[Any]:
        # FTS5 hands out its matches in rowid order by itself: one pass that stops after
        # ``count`` matches passing the filters, with bm25 computed for those only
        newest = matches.add_columns(self.rank(terms).label("relevance")).order_by(_FTS.c.rowid.desc())
        return newest.limit(count)

    def snippets(self, session: Session, terms: list[Term], ids: list[int]) -> dict[int, str]:
        text_column = 1
        snippet = func.snippet(
            literal_column(SEARCH_INDEX_TABLE), text_column, MATCH_START, MATCH_END, "…", SNIPPET_WORDS
        )
        # FTS5 answers "rowid IN (…)" with one lookup per id, each evaluating the whole query
        # again (a prefix query merges all its words' lists every time: a quarter second for
        # twenty ids on a million articles). A rowid range is one lookup; the unary plus keeps
        # the id list away from the index, so it only filters the rows of that range.
        page = literal_column(f"+{SEARCH_INDEX_TABLE}.rowid").in_(ids)
        in_range = _FTS.c.rowid.between(min(ids), max(ids))
        found = select(_FTS.c.rowid, snippet).select_from(_FTS).where(self._match(terms), in_range, page)
        rows = session.execute(found)
        return dict(rows.all())


class _PostgreSQL:
    """The german text search configuration over the generated ``search_vector`` column."""

    CONFIG = "german"
    # ts_rank_cd's weights of D, C, B (text) and A (title): a title match outweighs five in the text
    WEIGHTS = "{0.1, 0.1, 0.2, 1.0}"
    HEADLINE_OPTIONS = (
        f"StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    SYNTAX = _Syntax(quote="'", then=" <-> ", prefix=":*", any_of=" | ")

    def _tsquery(self, terms: list[Term]) -> ColumnElement[Any]:
        """The terms ANDed. The german configuration drops stop words (a query of only stop words
        matches nothing); a prefix that is a stop word ("vor*") falls back to the simple
        configuration, so it still finds the words it begins (vorne, Vorsitz)."""
        queries = []
        for term in terms:
            german = func.to_tsquery(literal_column(f"'{self.CONFIG}'"), self.SYNTAX.term(term))
            if term.prefix:
                simple = func.to_tsquery(literal_column("'simple'"), self.SYNTAX.term(term))
                german = func.coalesce(func.nullif(german, literal_column("''::tsquery")), simple)
            queries.append(german)
        return functools.reduce(lambda left, right: left.op("&&")(right), queries)

    @staticmethod
    def _vector() -> ColumnElement[Any]:
        return literal_column(f"articles.{SEARCH_VECTOR_COLUMN}")

    def matches(
        self, session: Session, filters: ArticleFilter, tz: ZoneInfo, terms: list[Term]
    ) -> Select[Any]:
        matching = self._vector().op("@@")(self._tsquery(terms))
        return apply_filters(select(Article.id), filters, tz).where(matching)

    def rank(self, terms: list[Term]) -> ColumnElement[float]:
        weights = literal_column(f"'{self.WEIGHTS}'::float4[]")
        return func.ts_rank_cd(weights, self._vector(), self._tsquery(terms))

    def newest(self, matches: Select[Any], terms: list[Term], count: int) -> Select[Any]:
        # materialised: all matches through the GIN index, then the newest are ranked; left to
        # itself the planner may walk the primary key backwards and test every row's vector
        found = matches.cte("found").prefix_with("MATERIALIZED")
        return (
            select(found.c.id, self.rank(terms).label("relevance"))
            .join(Article, Article.id == found.c.id)
            .order_by(found.c.id.desc())
            .limit(count)
        )

    def snippets(self, session: Session, terms: list[Term], ids: list[int]) -> dict[int, str]:
        headline = func.ts_headline(
            literal_column(f"'{self.CONFIG}'"), Article.text, self._tsquery(terms), self.HEADLINE_OPTIONS
        )
        return dict(session.execute(select(Article.id, headline).where(Article.id.in_(ids))).all())


def _dialect(session: Session) -> _Dialect:
    return _SQLite() if session.get_bind().dialect.name == "sqlite" else _PostgreSQL()


def search_articles(session: Session, filters: ArticleFilter, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The articles matching ``filters.query`` and every other filter, best first, as summaries
    with ``rank`` and ``snippet``. The ranking reads only the index and the filter columns; the
    page's rows and snippets are loaded afterwards, so a common word costs no text reads."""
    terms = parse_query(filters.query or "")
    dialect = _dialect(session)
    ranked = _ranked_page(session, dialect, terms, filters, tz)
    ids = [article_id for article_id, _rank in ranked]
    summaries = summaries_by_id(session, ids, tz)
    snippets = dialect.snippets(session, terms, ids) if ids else {}
    return [
        {**summaries[article_id], "rank": float(rank), "snippet": snippets.get(article_id, "")}
        for article_id, rank in ranked
    ]


def _ranked_page(
    session: Session, dialect: _Dialect, terms: list[Term], filters: ArticleFilter, tz: ZoneInfo
) -> list[Any]:
    """(id, rank) of the requested page.

    Ranking costs time for every match it orders, so a query matching more than RANK_WINDOW
    articles ranks only the newest RANK_WINDOW of them (highest ids: the last stored), and the
    older matches follow, newest first: a broad query shows the best of recent coverage, and
    paging still reaches every match that ``count_matches`` counts.

    The window is ranked and cut to the page by the database, in one pass, with the window's
    size and oldest id alongside: building two thousand result rows in Python per query made
    the garbage collector's full passes (tenths of a second) land on searches.
    """
    offset, limit = filters.offset, filters.limit or None
    matches = dialect.matches(session, filters, tz, terms)
    window = dialect.newest(matches, terms, RANK_WINDOW).subquery("window")
    best_first = select(
        window.c.id,
        window.c.relevance,
        func.count().over().label("window_size"),
        func.min(window.c.id).over().label("window_oldest"),
    ).order_by(window.c.relevance.desc(), window.c.id.desc())
    found = session.execute(paged(best_first, offset, limit)).all()
    if found:
        size, oldest = found[0].window_size, found[0].window_oldest
    else:  # a page past the window
        size, oldest = session.execute(select(func.count(), func.min(window.c.id))).one()
    rows: list[Any] = [(row.id, row.relevance) for row in found]
    remaining = None if limit is None else limit - len(rows)
    if size < RANK_WINDOW or remaining == 0:
        return rows
    match_id = matches.selected_columns[0]
    older = matches.where(match_id < oldest).add_columns(dialect.rank(terms)).order_by(match_id.desc())
    return rows + list(session.execute(paged(older, max(0, offset - RANK_WINDOW), remaining)))


def count_matches(session: Session, filters: ArticleFilter, tz: ZoneInfo) -> int:
    """How many articles ``search_articles`` would find without a limit (for paging)."""
    terms = parse_query(filters.query or "")
    matches = _dialect(session).matches(session, filters, tz, terms).subquery()
    return session.scalar(select(func.count()).select_from(matches)) or 0
