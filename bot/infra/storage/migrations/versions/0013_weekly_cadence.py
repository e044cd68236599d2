"""A channel's cadence is stored: `weekly mon` is a week's best papers, not a Monday's daily digest.

Each existing channel gets the kind its stored days read as (`daily`, `weekdays` or `days`), so it
reads exactly as before; only a `schedule ... weekly <day>` stores `weekly`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DAILY = "mon,tue,wed,thu,fri,sat,sun"
WEEKDAYS = "mon,tue,wed,thu,fri"


def upgrade() -> None:
    """Add `channels.cadence` and fill it with what each channel's days read as."""
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cadence", sa.String(length=16), nullable=False, server_default="days"))
    op.execute(sa.text(f"UPDATE channels SET cadence = 'daily' WHERE weekdays = '{DAILY}'"))
    op.execute(sa.text(f"UPDATE channels SET cadence = 'weekdays' WHERE weekdays = '{WEEKDAYS}'"))


def downgrade() -> None:
    """Drop the kind: a weekly channel goes back to a daily digest on its one day."""
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("cadence")
