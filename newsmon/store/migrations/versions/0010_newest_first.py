"""PostgreSQL: the article list's order, newest first and undated last, as an index.

Lists and exports order articles by ``published_at DESC NULLS LAST, id DESC``. PostgreSQL reads
the plain ``published_at`` index backwards as ``DESC NULLS FIRST``, which is not that order, so
every list page sorted all matching rows: 0.9 s for the first page of a million articles. An
index in exactly that order lets it stop after one page. SQLite needs nothing: it sorts NULL
lowest, so its plain index read backwards already gives this order (and it cannot declare
NULLS LAST in an index). The models leave the index out, as they leave out the search index.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:30:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_articles_newest_first ON articles (published_at DESC NULLS LAST, id DESC)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_articles_newest_first")
