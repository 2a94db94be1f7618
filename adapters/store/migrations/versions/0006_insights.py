"""Insights for the HR team: answers counted (no person, no text), feedback
votes keyed by a hash of the person, unanswered questions as redacted text, and the key
people are hashed with.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(80)),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("plan_id", sa.String(64)),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_index("ix_answer_events_day", "answer_events", ["day"])
    op.create_table(
        "feedback_votes",
        sa.Column("answer", sa.String(64), primary_key=True),
        sa.Column("voter", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(80)),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=False),
    )
    op.create_index("ix_feedback_votes_day", "feedback_votes", ["day"])
    op.create_table(
        "unanswered",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("why", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("voter", sa.String(64), nullable=False),
    )
    op.create_index("ix_unanswered_day", "unanswered", ["day"])
    op.create_index("ix_unanswered_key", "unanswered", ["key"])
    op.create_table(
        "deployment_keys",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("deployment_keys", "unanswered", "feedback_votes", "answer_events"):
        op.drop_table(table)
