"""A migrated database (SQLite, then PostgreSQL) and repositories on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.paper import Paper
from bot.domain.schedule import Schedule, parse_weekdays
from bot.infra.storage.database import create_engine
from bot.infra.storage.migrate import upgrade_database
from bot.infra.storage.repository import Repository
from tests.fakes.clock import FakeClock

DEFAULT_SCHEDULE = Schedule(at=time(9, 0), timezone="UTC", weekdays=parse_weekdays("daily"))


def make_paper(arxiv_id: str, version: int = 1, announced: date | None = None, **changes: object) -> Paper:
    """A paper with plausible metadata, including text PostgreSQL and SQLite must round-trip alike."""
    fields: dict[str, object] = {
        "arxiv_id": arxiv_id,
        "version": version,
        "title": f"Title of {arxiv_id} v{version} — ünïcödé",
        "authors": ("Ada Lovelace", "Émilie du Châtelet"),
        "abstract": "We study 'quotes', \"double quotes\" and $x^2$.",
        "categories": ("cs.LG", "math.OC"),
        "primary_category": "cs.LG",
        "published": datetime(2026, 2, 10, 18, 0, tzinfo=UTC),
        "updated": datetime(2026, 2, 11, 9, 30, tzinfo=UTC),
        "announced": announced,
    }
    fields.update(changes)
    return Paper(**fields)  # type: ignore[arg-type]


MakeRepository = Callable[[], Awaitable[Repository]]


@pytest.fixture
async def make_repository(database_url: str, clock: FakeClock) -> AsyncIterator[MakeRepository]:
    """Repositories on the test's migrated database, each with its own engine (like a process)."""
    engines: list[AsyncEngine] = []

    async def make() -> Repository:
        engine = create_engine(database_url)
        engines.append(engine)
        await upgrade_database(engine)
        return Repository(engine, DEFAULT_SCHEDULE, 10, clock)

    yield make
    for engine in engines:
        await engine.dispose()


@pytest.fixture
async def repo(make_repository: MakeRepository) -> Repository:
    """One repository on a fresh database."""
    return await make_repository()
