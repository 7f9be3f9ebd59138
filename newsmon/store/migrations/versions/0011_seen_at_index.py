"""Addresses by the time they were seen, with their source: what each source delivered in a period.

Source health (``newsmon status``, the review UI, the digest) counts per source the addresses
seen in a week and in the week before. Without an index that was a scan of every address: 0.2 s
per period on a million. The index holds the source too, so the count reads the index alone. New
addresses are seen now, so the index grows at its end and costs an insert next to nothing.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 22:10:00
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_article_urls_seen_at_source_id", "article_urls", ["seen_at", "source_id"])


def downgrade() -> None:
    op.drop_index("ix_article_urls_seen_at_source_id", "article_urls")
