"""What arXiv's listings named and what arXiv refused, kept for every process on the database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.infra.storage.database import session_factory
from bot.infra.storage.tables import ListedPaperRow, PaperRow, RefusedCategoryRow

# Listed ids are kept this long: enough to find papers never seen and to answer "is it listed?".
LISTED_KEEP = timedelta(days=30)
ROWS_PER_INSERT = 1000


class ListingStore:
    """Listed ids (to find papers the bot could not see), and categories arXiv refuses."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)

    async def record_listed(self, listed: Mapping[date, Sequence[str]]) -> None:
        """Remember which ids each day's listing named; old days are forgotten."""
        rows = [{"day": day, "arxiv_id": arxiv_id} for day, ids in listed.items() for arxiv_id in ids]
        if not rows:
            return
        table = ListedPaperRow.__table__  # type: ignore[attr-defined]
        insert = self._dialect().insert(table).on_conflict_do_nothing(index_elements=["day", "arxiv_id"])
        async with self._engine.begin() as connection:
            for start in range(0, len(rows), ROWS_PER_INSERT):
                await connection.execute(insert, rows[start : start + ROWS_PER_INSERT])
            oldest = max(listed) - LISTED_KEEP
            await connection.execute(sa.delete(table).where(table.c.day < oldest))

    async def unseen(self, since: date) -> dict[str, date]:
        """Ids listed on or after `since` that the bot holds no paper for, with their first day."""
        async with self._sessions() as session:
            query = (
                select(col(ListedPaperRow.arxiv_id), sa.func.min(col(ListedPaperRow.day)))
                .join(PaperRow, col(PaperRow.arxiv_id) == col(ListedPaperRow.arxiv_id), isouter=True)
                .where(col(PaperRow.arxiv_id).is_(None), col(ListedPaperRow.day) >= since)
                .group_by(col(ListedPaperRow.arxiv_id))
            )
            return {arxiv_id: day for arxiv_id, day in (await session.exec(query)).all()}

    async def is_listed(self, arxiv_id: str, since: date) -> bool:
        """Whether a listing of `since` or later named this id."""
        async with self._sessions() as session:
            query = select(ListedPaperRow.arxiv_id).where(
                col(ListedPaperRow.arxiv_id) == arxiv_id, col(ListedPaperRow.day) >= since
            )
            return (await session.exec(query.limit(1))).first() is not None

    async def incomplete(self, since: date, limit: int) -> list[str]:
        """Papers announced on or after `since` that only the listing has described so far."""
        async with self._sessions() as session:
            query = (
                select(PaperRow.arxiv_id)
                .where(col(PaperRow.complete).is_(False), col(PaperRow.announced) >= since)
                .order_by(col(PaperRow.announced).desc(), col(PaperRow.arxiv_id))
                .limit(limit)
            )
            return list((await session.exec(query)).all())

    async def refused(self, since: datetime) -> dict[str, str]:
        """Categories arXiv refused since then, with what it said."""
        async with self._sessions() as session:
            query = select(RefusedCategoryRow).where(col(RefusedCategoryRow.refused_at) >= since)
            return {row.category: row.reason for row in (await session.exec(query)).all()}

    async def remember_refused(self, refused: Mapping[str, str], at: datetime) -> None:
        """Note (again) that arXiv refuses these categories; processes may do so at once."""
        if not refused:
            return
        rows = [{"category": c, "reason": reason[:500], "refused_at": at} for c, reason in refused.items()]
        insert = self._dialect().insert(RefusedCategoryRow.__table__)  # type: ignore[attr-defined]
        upsert = insert.on_conflict_do_update(
            index_elements=["category"],
            set_={"reason": insert.excluded.reason, "refused_at": insert.excluded.refused_at},
        )
        async with self._engine.begin() as connection:
            await connection.execute(upsert, rows)

    def _dialect(self) -> Any:
        return postgresql if self._engine.dialect.name == "postgresql" else sqlite
