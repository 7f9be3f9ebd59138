"""Topic feedback: a person's relevant / irrelevant mark per article and topic.

One row per (article, topic), replaced when the article is marked again; deleted with its article.
`newsmon topics eval` scores the marked articles afresh and reports precision and recall on them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topic_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "topic", name="uq_topic_feedback_article_topic"),
    )
    op.create_index("ix_topic_feedback_topic", "topic_feedback", ["topic"])


def downgrade() -> None:
    op.drop_index("ix_topic_feedback_topic", table_name="topic_feedback")
    op.drop_table("topic_feedback")
