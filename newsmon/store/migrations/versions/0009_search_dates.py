"""Dates in the SQLite full-text index, so a search with a date range is answered by the index.

A search with a date filter used to read the date of every article matching the words: the date
sits after the text in the row, so each check was a read through the text's overflow pages (a
common word with a month's range: a fifth of a second on a million articles, more with a cold
cache). Now each article also indexes three tokens, its publication day, month and week in UTC
("d20250301 m202503 w202508", the week numbered as strftime's %W, Monday first), from a
generated column ``search_dates``; a date range becomes the words AND any of the range's
tokens (whole months and weeks as one token each), which FTS5 intersects in its own lists. The
exact bounds in the reader's time zone are still checked, on those candidates only.

The index is rebuilt with the new column (minutes on a million articles). Its triggers now also
follow changes of ``published_at``. PostgreSQL is unchanged: its date filter is a B-tree range.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 10:00:00
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# published_at is stored as "YYYY-MM-DD HH:MM:SS…" (UTC); NULL (undated) indexes nothing
_MONTH = "substr(published_at, 1, 4) || substr(published_at, 6, 2)"
_DAY = f"{_MONTH} || substr(published_at, 9, 2)"
_WEEK = "strftime('%Y%W', published_at)"
_FTS_OPTIONS = (
    "content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='3 4'"
)
_DROP_INDEX = [
    "DROP TRIGGER articles_fts_update",
    "DROP TRIGGER articles_fts_delete",
    "DROP TRIGGER articles_fts_insert",
    "DROP TABLE articles_fts",
]


def _index(columns: list[str], watched: str, weights: str) -> list[str]:
    """The FTS5 table over ``columns`` of articles, its triggers, a rebuild and its default
    ranking (bm25 with the columns' ``weights``: the title ten times the text, dates nothing)."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    return [
        f"CREATE VIRTUAL TABLE articles_fts USING fts5({names}, {_FTS_OPTIONS})",
        f"""CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, {names}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, {names}) VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER articles_fts_update AFTER UPDATE OF {watched} ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, {names}) VALUES ('delete', old.id, {old});
            INSERT INTO articles_fts(rowid, {names}) VALUES (new.id, {new});
        END""",
        "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
        f"INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', 'bm25({weights})')",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"ALTER TABLE articles ADD COLUMN search_dates TEXT GENERATED ALWAYS AS "
        f"('d' || {_DAY} || ' m' || {_MONTH} || ' w' || {_WEEK}) VIRTUAL"
    )
    index = _index(["title", "text", "search_dates"], "title, text, published_at", "10.0, 1.0, 0.0")
    for statement in _DROP_INDEX + index:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in _DROP_INDEX + _index(["title", "text"], "title, text", "10.0, 1.0"):
        op.execute(statement)
    op.execute("ALTER TABLE articles DROP COLUMN search_dates")
