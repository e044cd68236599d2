"""Record LLM usage per person and day, for the per-user daily limit and `paperboy usage --people`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "llm_user_usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_key", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("held_tokens", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_key", "day"),
    )
    with op.batch_alter_table("llm_user_usage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_llm_user_usage_day"), ["day"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("llm_user_usage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_llm_user_usage_day"))
    op.drop_table("llm_user_usage")
