"""The topics each article was judged relevant to, as an indexed table.

``articles.topic_scores`` (JSON) keeps the scores, verdicts and explanations. Filtering on a
verdict inside JSON means reading and parsing every candidate row: on a store of a million
articles a search with a topic filter spent most of its time there. ``article_topics`` holds one
row (topic, article id) per relevant verdict, so the filter is an index range.

The database keeps it in step with ``topic_scores`` through triggers, on insert and on update of
that column; deleting an article deletes its rows by cascade. Whatever writes ``topic_scores``
(the ingest, a rescore, a test) cannot forget it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# the relevant topics of one JSON value, as rows (key = topic name), for the triggers (one
# article) and the backfill (every article: ``articles`` joined before the JSON rows)
_SQLITE_RELEVANT = """SELECT key, {article} FROM {joined}json_each({scores})
        WHERE json_type({scores}) = 'object' AND json_extract(value, '$.relevant') = 1"""
_SQLITE_NEW = _SQLITE_RELEVANT.format(article="new.id", joined="", scores="new.topic_scores")
SQLITE_UPGRADE = [
    f"""CREATE TRIGGER article_topics_insert AFTER INSERT ON articles BEGIN
        INSERT INTO article_topics(topic, article_id) {_SQLITE_NEW};
    END""",
    f"""CREATE TRIGGER article_topics_update AFTER UPDATE OF topic_scores ON articles BEGIN
        DELETE FROM article_topics WHERE article_id = old.id;
        INSERT INTO article_topics(topic, article_id) {_SQLITE_NEW};
    END""",
    "INSERT INTO article_topics(topic, article_id) "
    + _SQLITE_RELEVANT.format(article="articles.id", joined="articles, ", scores="articles.topic_scores"),
]
SQLITE_DOWNGRADE = ["DROP TRIGGER article_topics_update", "DROP TRIGGER article_topics_insert"]

_POSTGRES_RELEVANT = """SELECT entry.key, {article} FROM {joined}json_each(
        CASE WHEN json_typeof({scores}) = 'object' THEN {scores} ELSE '{{}}'::json END) AS entry
        WHERE json_typeof(entry.value) = 'object' AND (entry.value ->> 'relevant')::boolean"""
POSTGRES_UPGRADE = [
    f"""CREATE FUNCTION article_topics_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            DELETE FROM article_topics WHERE article_id = OLD.id;
        END IF;
        INSERT INTO article_topics(topic, article_id)
        {_POSTGRES_RELEVANT.format(article="NEW.id", joined="", scores="NEW.topic_scores")};
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER article_topics_insert AFTER INSERT ON articles
        FOR EACH ROW EXECUTE FUNCTION article_topics_sync()""",
    """CREATE TRIGGER article_topics_update AFTER UPDATE OF topic_scores ON articles
        FOR EACH ROW EXECUTE FUNCTION article_topics_sync()""",
    "INSERT INTO article_topics(topic, article_id) "
    + _POSTGRES_RELEVANT.format(
        article="articles.id", joined="articles CROSS JOIN LATERAL ", scores="articles.topic_scores"
    ),
]
POSTGRES_DOWNGRADE = [
    "DROP TRIGGER article_topics_update ON articles",
    "DROP TRIGGER article_topics_insert ON articles",
    "DROP FUNCTION article_topics_sync()",
]


def upgrade() -> None:
    op.create_table(
        "article_topics",
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("topic", "article_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_article_topics_article_id", "article_topics", ["article_id"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UPGRADE if sqlite else POSTGRES_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWNGRADE if sqlite else POSTGRES_DOWNGRADE:
        op.execute(statement)
    op.drop_index("ix_article_topics_article_id", "article_topics")
    op.drop_table("article_topics")
