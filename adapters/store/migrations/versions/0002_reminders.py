"""Reminders sent about facts coming due: one row per fact, due date and audience, so that
however many instances run, each reminder is sent once.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("plan_id", sa.String(64), primary_key=True),
        sa.Column("slot_id", sa.String(80), primary_key=True),
        sa.Column("due_on", sa.Date, primary_key=True),
        sa.Column("audience", sa.String(16), primary_key=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reminders")
