"""A channel's `settings quality`: how choosy its learned ranking is (normal, high or a chance).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 22:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision: every channel starts at `normal`."""
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("quality", sa.String(length=10), nullable=False, server_default="normal"))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("quality")
