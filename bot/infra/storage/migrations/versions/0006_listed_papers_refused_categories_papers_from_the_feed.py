"""Listed papers, refused categories, papers built from the feed until arXiv's API has them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:33:44.377371
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "listed_papers",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("arxiv_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("day", "arxiv_id"),
    )
    op.create_table(
        "refused_categories",
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("category"),
    )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("earliest_day", sa.Date(), nullable=True))

    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("complete", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.drop_column("complete")

    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_column("earliest_day")

    op.drop_table("refused_categories")
    op.drop_table("listed_papers")
