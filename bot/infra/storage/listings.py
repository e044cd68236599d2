"""Listing fetches: when the daily listing was read and what it held, so a day is read once."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.domain.clock import Clock, SystemClock
from bot.infra.storage.database import session_factory
from bot.infra.storage.tables import ListingRow
from bot.ports import ListingFetch


class SqlListingLog:
    """The `listings` table behind the ListingLog port."""

    def __init__(self, engine: AsyncEngine, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._sessions = session_factory(engine)

    async def record_listing(
        self,
        categories: str,
        day: date | None,
        count: int,
        skipped: bool,
        *,
        earliest_day: date | None = None,
    ) -> None:
        """Remember a fetch of the daily listing (`earliest_day`: its oldest part, if one lagged)."""
        async with self._sessions() as session:
            session.add(
                ListingRow(
                    categories=categories,
                    day=day,
                    fetched_at=self._clock.now(),
                    paper_count=count,
                    skipped=skipped,
                    earliest_day=earliest_day or day,
                )
            )
            await session.commit()

    async def last_listing(self) -> ListingFetch | None:
        """The most recent fetch of the daily listing."""
        async with self._sessions() as session:
            query = select(ListingRow).order_by(col(ListingRow.fetched_at).desc()).limit(1)
            row = (await session.exec(query)).first()
        if row is None:
            return None
        return ListingFetch(
            row.categories, row.day, row.fetched_at, row.paper_count, row.skipped, row.earliest_day
        )
