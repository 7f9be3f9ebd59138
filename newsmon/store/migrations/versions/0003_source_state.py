"""Sources as data: what the shipped list declares and what a crawler keeps per source.

Declared (copied from ``seeds/sources.toml`` or given by ``newsmon sources add``): ``outlet``,
``language``, ``origin`` (shipped | user | import), ``verified`` and ``url_template`` (search
sources). Crawl state: ``etag`` and ``last_modified`` for conditional GETs, the last attempt's
time, outcome and error, the count of failures in a row and when the next attempt is due
(back-off). A source is healthy when ``consecutive_failures`` is 0, so no separate flag can
disagree with it.

Every new column is nullable or has a server default: rows written by older code (the ingest
creates ``sources`` rows with name, kind, enabled and created_at only) keep working and count as
``origin = 'import'``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column]:
    return [
        sa.Column("outlet", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("origin", sa.String(length=10), server_default="import", nullable=False),
        sa.Column("verified", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("url_template", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("last_crawled_at", sa.DateTime(), nullable=True),
        sa.Column("last_outcome", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    # plain ADD COLUMN on both databases: SQLite accepts NOT NULL columns with a constant
    # default, and the table is never copied (articles refer to it)
    for column in _columns():
        op.add_column("sources", column)


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        for column in reversed(_columns()):
            batch_op.drop_column(column.name)
