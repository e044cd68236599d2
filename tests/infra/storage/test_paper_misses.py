"""Remembered misses in the database (SQLite and PostgreSQL): every process on the database agrees
on which ids arXiv had no paper for, until they expire, and expired ones are deleted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.infra.storage.database import create_engine
from bot.infra.storage.migrate import upgrade_database
from bot.infra.storage.paper_misses import PaperMisses

NOON = datetime(2026, 2, 12, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
async def engines(database_url: str) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """Two engines on one migrated database, as two processes have."""
    first, second = create_engine(database_url), create_engine(database_url)
    await upgrade_database(first)
    yield first, second
    await first.dispose()
    await second.dispose()


async def _rows(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(sa.text("SELECT count(*) FROM paper_misses"))).scalar_one())


async def test_a_miss_one_process_records_is_seen_by_another_until_it_expires(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    mine, theirs = PaperMisses(engines[0], keep=HOUR), PaperMisses(engines[1], keep=HOUR)
    await mine.remember(["2611.99999", "2611.99998"], NOON)

    assert await theirs.remembered(["2611.99999", "2602.10905"], NOON + timedelta(minutes=59)) == {
        "2611.99999": NOON
    }
    assert await theirs.remembered(["2611.99999"], NOON + HOUR + timedelta(seconds=1)) == {}


async def test_a_new_miss_moves_the_time_on_and_expired_misses_are_deleted(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    misses = PaperMisses(engines[0], keep=HOUR)
    await misses.remember(["2611.00001", "2611.00002"], NOON)
    later = NOON + 2 * HOUR
    await misses.remember(["2611.00001"], later)

    assert await misses.remembered(["2611.00001", "2611.00002"], later) == {"2611.00001": later}
    assert await _rows(engines[0]) == 1  # the expired one is gone, not just hidden


async def test_zero_memory_remembers_nothing(engines: tuple[AsyncEngine, AsyncEngine]) -> None:
    misses = PaperMisses(engines[0], keep=timedelta(0))
    await misses.remember(["2611.99999"], NOON)
    assert await misses.remembered(["2611.99999"], NOON) == {}
    assert await _rows(engines[0]) == 0
