"""Replay protection that outlives a process: the ids of recently delivered requests, in the database.

Slack's Socket Mode delivers an envelope at least once and the Events API retries a request it
got no answer to, within minutes. Kept in memory, the ids were forgotten at every restart and not
shared between replicas; here every process on the database sees them, for `keep` (15 minutes).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.clock import Clock
from bot.infra.storage.tables import SeenRequestRow

KEEP = timedelta(minutes=15)
PRUNE_EVERY_SECONDS = 60.0
MAX_KEY_LENGTH = 160


class SeenRequests:
    """`first_time(key)`: an insert that conflicts on a key seen before decides, in one statement.

    RETURNING tells whether the row went in: through SQLAlchemy, psycopg reports a rowcount of -1.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        keep: timedelta = KEEP,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._keep = keep
        self._monotonic = monotonic
        self._pruned_at: float | None = None
        dialect = engine.dialect.name
        self._insert = postgresql.insert if dialect == "postgresql" else sqlite.insert

    async def first_time(self, key: str) -> bool:
        """True when no process saw `key` in the last `keep`; it is remembered from now on.

        Keys longer than the column (never seen from Slack) are not remembered: they count as new.
        """
        if not key or len(key) > MAX_KEY_LENGTH:
            return True
        now = self._clock.now()
        table = SeenRequestRow.__table__  # type: ignore[attr-defined]
        insert = (
            self._insert(table).values(key=key, seen_at=now).on_conflict_do_nothing().returning(table.c.key)
        )
        async with self._engine.begin() as connection:
            await self._prune(connection, now)
            inserted = (await connection.execute(insert)).scalar_one_or_none()
        return inserted is not None

    async def _prune(self, connection: AsyncConnection, now: datetime) -> None:
        """Forget ids older than `keep`, at most once a minute per process."""
        moment = self._monotonic()
        if self._pruned_at is not None and moment - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = moment
        table = SeenRequestRow.__table__  # type: ignore[attr-defined]
        await connection.execute(sa.delete(table).where(table.c.seen_at < now - self._keep))
