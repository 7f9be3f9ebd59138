"""The list orders, newest first and undated last, as indexes.

Article lists and exports order by ``published_at DESC NULLS LAST, id DESC``, story lists by
``last_published DESC NULLS LAST, id DESC``. Without an index in that order the database sorts
every matching row for each page: 0.9 s for the first page of a million articles on PostgreSQL,
which reads its plain ``published_at`` index backwards as ``DESC NULLS FIRST``, and 16 ms for the
first page of 100,000 stories on SQLite, which had no index on ``last_published`` at all. With
one, a page is read, not sorted. SQLite sorts NULL lowest, so a descending index there is already
in this order (it cannot declare NULLS LAST in an index); its articles need nothing new, as their
plain ``published_at`` index read backwards is this order. The models leave these indexes out,
as they leave out the search index: the two databases need different ones.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:30:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

POSTGRES = [
    "CREATE INDEX ix_articles_newest_first ON articles (published_at DESC NULLS LAST, id DESC)",
    "CREATE INDEX ix_stories_newest_first ON stories (last_published DESC NULLS LAST, id DESC)",
]
SQLITE = ["CREATE INDEX ix_stories_newest_first ON stories (last_published DESC, id DESC)"]


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    created = SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES
    for statement in created:
        op.execute(f"DROP INDEX {statement.split()[2]}")
