"""Review: a full-text index over the articles' title and text, and read/starred marks.

SQLite: an FTS5 table ``articles_fts`` with external content (the text is stored once, in
``articles``), tokenizer ``unicode61 remove_diacritics 2`` (München is indexed as "munchen"), kept
in sync by triggers; only changes of title or text touch the index. Prefix indexes of 3 and 4
letters keep short prefix queries ("Hoff*") from merging the lists of hundreds of words. Its
default ranking is bm25 with the title weighted ten times the text, so a title match comes first.

PostgreSQL: a generated ``search_vector`` column (``german`` configuration, title weight A, text
weight B) with a GIN index; the database keeps it in sync. The German stemmer already folds ß to
ss and drops umlaut dots, so no extension (unaccent) is needed.

Spellings written with ae/oe/ue or ss are matched at query time (``newsmon.search`` expands each
query word into its spellings), so neither dialect stores a second folded copy of the text.

``article_marks``: one optional row per article with when it was read and starred.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TITLE_WEIGHT = 10.0  # bm25 weight of the title column relative to the text's 1.0

SQLITE_UPGRADE = [
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='3 4'
    )""",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    f"INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', 'bm25({TITLE_WEIGHT}, 1.0)')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER articles_fts_update",
    "DROP TRIGGER articles_fts_delete",
    "DROP TRIGGER articles_fts_insert",
    "DROP TABLE articles_fts",
]
POSTGRES_UPGRADE = [
    """ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('german'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('german'::regconfig, coalesce(text, '')), 'B')
    ) STORED""",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
]
POSTGRES_DOWNGRADE = [
    "DROP INDEX ix_articles_search_vector",
    "ALTER TABLE articles DROP COLUMN search_vector",
]


def upgrade() -> None:
    op.create_table(
        "article_marks",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("starred_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id"),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UPGRADE if sqlite else POSTGRES_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWNGRADE if sqlite else POSTGRES_DOWNGRADE:
        op.execute(statement)
    op.drop_table("article_marks")
