"""Votes replace feedback: one changeable 👍/👎 per member per paper per channel; "not relevant" is 👎.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `votes`, carry every "not relevant" over as a real 👎, and drop `feedback`."""
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_pk", sa.Integer(), nullable=False),
        sa.Column("arxiv_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("weak", sa.Boolean(), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["channel_pk"], ["channels.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_pk", "arxiv_id", "user_id"),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_channel_pk"), ["channel_pk"], unique=False)
    # The old key held one row per kind; "not_relevant" was the only kind ever written.
    op.execute(
        sa.text(
            "INSERT INTO votes (channel_pk, arxiv_id, user_id, value, weak, voted_at)"
            " SELECT channel_pk, arxiv_id, user_id, -1, false, COALESCE(created_at, CURRENT_TIMESTAMP)"
            " FROM feedback WHERE kind = 'not_relevant'"
        )
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_channel_pk"))
    op.drop_table("feedback")


def downgrade() -> None:
    """Back to `feedback`: real 👎 become "not relevant" again; 👍 and weak votes have no place there."""
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_pk", sa.Integer(), nullable=False),
        sa.Column("arxiv_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["channel_pk"], ["channels.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_pk", "arxiv_id", "user_id", "kind"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_channel_pk"), ["channel_pk"], unique=False)
    op.execute(
        sa.text(
            "INSERT INTO feedback (channel_pk, arxiv_id, user_id, kind, created_at)"
            " SELECT channel_pk, arxiv_id, user_id, 'not_relevant', voted_at"
            " FROM votes WHERE value < 0 AND weak = false"
        )
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_channel_pk"))
    op.drop_table("votes")
