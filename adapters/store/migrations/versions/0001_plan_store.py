"""Plans, their slots and the append-only change log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("header", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "plan_slots",
        sa.Column("plan_id", sa.String(64), primary_key=True),
        sa.Column("slot_id", sa.String(80), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("owner", sa.String(120)),
        sa.Column("verified_by", sa.String(120), nullable=False),
        sa.Column("verified_on", sa.Date, nullable=False),
        sa.Column("every_days", sa.Integer, nullable=False),
        sa.Column("retired", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "plan_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(120), nullable=False),
        sa.Column("surface", sa.String(16), nullable=False),
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("slot_id", sa.String(80)),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
        sa.Column("note", sa.Text),
    )
    op.create_index("plan_changes_by_slot", "plan_changes", ["plan_id", "slot_id"])


def downgrade() -> None:
    op.drop_index("plan_changes_by_slot", "plan_changes")
    op.drop_table("plan_changes")
    op.drop_table("plan_slots")
    op.drop_table("plans")
