"""The daemon's tables: its database lock, its run history and APScheduler's job store.

``daemon_lock`` holds one row per lock name (the scheduler's) with the holder and the expiry of
its lease. ``daemon_runs`` records every job run for ``newsmon status``. ``apscheduler_jobs`` is
the table APScheduler's ``SQLAlchemyJobStore`` would create on first start, with the same
columns; creating it here keeps the schema in one place on SQLite and PostgreSQL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daemon_lock",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "daemon_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job", sa.String(50), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
    )
    op.create_index("ix_daemon_runs_job_started_at", "daemon_runs", ["job", "started_at"])
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"])


def downgrade() -> None:
    op.drop_index("ix_apscheduler_jobs_next_run_time", table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")
    op.drop_index("ix_daemon_runs_job_started_at", table_name="daemon_runs")
    op.drop_table("daemon_runs")
    op.drop_table("daemon_lock")
