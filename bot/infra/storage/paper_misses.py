"""Ids arXiv answered with no paper, kept in the database so every process and restart agrees.

Asking arXiv about an id it does not know costs two requests at the one gate every process shares
(an empty answer is tried again: it may be arXiv's sporadic empty page). Remembered for `keep`, a
repeated unknown id costs none. Rows are bounded: each one cost an arXiv request, and rows older than
`keep` are deleted whenever a miss is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.infra.storage.tables import PaperMissRow

KEEP = timedelta(hours=1)
ROWS_PER_QUERY = 500


class PaperMisses:
    """When arXiv last had no paper for an id, for `keep`; a `keep` of zero remembers nothing."""

    def __init__(self, engine: AsyncEngine, *, keep: timedelta = KEEP) -> None:
        self._engine = engine
        self.keep = keep
        self._table: Any = PaperMissRow.__table__  # type: ignore[attr-defined]

    @property
    def enabled(self) -> bool:
        """Whether misses are remembered at all."""
        return self.keep > timedelta(0)

    async def remember(self, ids: Sequence[str], at: datetime) -> None:
        """arXiv had no paper for these ids at `at`; misses older than `keep` are forgotten."""
        if not self.enabled or not ids:
            return
        rows = [{"arxiv_id": arxiv_id, "missed_at": at} for arxiv_id in dict.fromkeys(ids)]
        insert = self._dialect().insert(self._table)
        upsert = insert.on_conflict_do_update(
            index_elements=["arxiv_id"], set_={"missed_at": insert.excluded.missed_at}
        )
        async with self._engine.begin() as connection:
            await connection.execute(sa.delete(self._table).where(self._table.c.missed_at < at - self.keep))
            for start in range(0, len(rows), ROWS_PER_QUERY):
                await connection.execute(upsert, rows[start : start + ROWS_PER_QUERY])

    async def remembered(self, ids: Sequence[str], now: datetime) -> dict[str, datetime]:
        """The ids among these that arXiv had no paper for within `keep` of `now`, with when."""
        if not self.enabled or not ids:
            return {}
        found: dict[str, datetime] = {}
        table = self._table
        async with self._engine.connect() as connection:
            for start in range(0, len(ids), ROWS_PER_QUERY):
                chunk = list(ids[start : start + ROWS_PER_QUERY])
                query = sa.select(table.c.arxiv_id, table.c.missed_at).where(
                    table.c.arxiv_id.in_(chunk), table.c.missed_at >= now - self.keep
                )
                found.update((arxiv_id, at) for arxiv_id, at in (await connection.execute(query)).all())
        return found

    def _dialect(self) -> Any:
        return postgresql if self._engine.dialect.name == "postgresql" else sqlite
