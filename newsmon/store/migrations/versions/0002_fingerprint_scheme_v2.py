"""Fingerprint scheme v2: numpy MinHash over word-hash shingles, weighted story terms by minute.

Also drops the index on articles.canonical_url, which no lookup used.

Signatures, LSH band keys and story terms of the first scheme cannot be compared with the new
ones, so this migration rebuilds the ``story_terms`` table in its new shape and recomputes every
stored article's fingerprints from its text with the default dedup settings (``newsmon db
reindex`` does the same for other settings).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:10:00
"""

import sqlalchemy as sa
from alembic import op

from newsmon.config import DedupSettings
from newsmon.reindex import reindex_fingerprints

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _story_terms(minute_or_day: str, with_weight: bool) -> None:
    columns = [
        sa.Column("term_key", sa.BigInteger(), nullable=False),
        sa.Column(minute_or_day, sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
    ]
    if with_weight:
        columns.append(sa.Column("weight", sa.Float(), nullable=False))
    op.create_table(
        "story_terms",
        *columns,
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("term_key", minute_or_day, "article_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_story_terms_article_id", "story_terms", ["article_id"], unique=False)


def _drop_story_terms() -> None:
    op.drop_index("ix_story_terms_article_id", table_name="story_terms")
    op.drop_table("story_terms")


def upgrade() -> None:
    # URL lookups go through article_urls, which holds every article's own URL too
    op.drop_index("ix_articles_canonical_url", table_name="articles")
    _drop_story_terms()
    _story_terms("minute", with_weight=True)
    reindex_fingerprints(op.get_bind(), DedupSettings())


def downgrade() -> None:
    # the first scheme's fingerprints are not recomputed: downgrading is for development only
    _drop_story_terms()
    _story_terms("day", with_weight=False)
    op.execute(sa.text("DELETE FROM lsh_bands"))
    op.create_index("ix_articles_canonical_url", "articles", ["canonical_url"], unique=False)
