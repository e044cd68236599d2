"""Ids arXiv had no paper for, so every process asks arXiv about them again only after a while.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "paper_misses",
        sa.Column("arxiv_id", sa.String(length=40), nullable=False),
        sa.Column("missed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("arxiv_id"),
    )
    with op.batch_alter_table("paper_misses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_misses_missed_at"), ["missed_at"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("paper_misses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_misses_missed_at"))
    op.drop_table("paper_misses")
