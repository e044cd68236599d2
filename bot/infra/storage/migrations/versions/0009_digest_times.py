"""Store each channel's next digest time, so the scheduler asks the database what is due.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision; existing channels get their time from the scheduler's first tick."""
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_digest_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("late_notice_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_channels_next_digest_at"), ["next_digest_at"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channels_next_digest_at"))
        batch_op.drop_column("late_notice_at")
        batch_op.drop_column("next_digest_at")
