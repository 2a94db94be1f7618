"""Changes previewed in chat, waiting for the admin to publish them: kept in the database so
that the instance that receives *Publish* need not be the one that showed the preview.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_drafts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("who", sa.String(120), nullable=False),
        sa.Column("edit", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("plan_drafts")
