"""Digest delivery state for exactly-once mail, and the chart kept with the archived digest.

``digests.chart`` holds the PNG the HTML part refers to by Content-ID, so a delivery retried days
later sends byte for byte what was archived. ``digest_deliveries`` gains the columns of the
claim-then-send protocol (see ``reports/delivery.py``): ``claimed_at`` (when a run took the row to
hand it to SMTP; status ``sending`` until accepted) and ``next_attempt_at`` (back-off after a
failed attempt). Every new column is nullable: rows written before keep their meaning.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("digests", sa.Column("chart", sa.LargeBinary(), nullable=True))
    op.add_column("digest_deliveries", sa.Column("claimed_at", sa.DateTime(), nullable=True))
    op.add_column("digest_deliveries", sa.Column("next_attempt_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_deliveries", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("claimed_at")
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.drop_column("chart")
