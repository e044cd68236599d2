"""Each person's LLM ledger on SQLite and PostgreSQL: holds decided in the database, across processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.infra.storage.database import create_engine
from bot.infra.storage.migrate import upgrade_database
from bot.infra.storage.user_usage import UserUsageStore

DAY = date(2026, 2, 12)
ADA = "slack:U0ADA"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A fresh database with the schema, on each backend."""
    engine = create_engine(database_url)
    await upgrade_database(engine)
    yield engine
    await engine.dispose()


async def test_holds_from_several_processes_at_once_never_pass_the_limit(
    database: AsyncEngine, database_url: str
) -> None:
    # Three engines stand for three processes sharing the database; 30 holds of 1,000 race for 10,000.
    engines = [database] + [create_engine(database_url) for _ in range(2)]
    try:
        stores = [UserUsageStore(engine) for engine in engines]
        granted = await asyncio.gather(*(stores[n % 3].hold(ADA, DAY, 1_000, 10_000) for n in range(30)))
        assert sum(granted) == 10
        (line,) = await stores[0].usage(DAY)
        assert line.held_tokens == 10_000 and line.tokens == 0
    finally:
        for engine in engines[1:]:
            await engine.dispose()


async def test_a_settled_call_replaces_its_hold_by_what_it_spent(database: AsyncEngine) -> None:
    store = UserUsageStore(database)
    assert await store.hold(ADA, DAY, 3_000, 5_000)
    assert not await store.hold(ADA, DAY, 3_000, 5_000)  # 3,000 held + 3,000 > 5,000
    await store.settle(ADA, DAY, 3_000, prompt_tokens=1_200, completion_tokens=300, cost=0.25)
    (line,) = await store.usage(DAY)
    assert (line.calls, line.prompt_tokens, line.completion_tokens, line.held_tokens) == (1, 1_200, 300, 0)
    assert line.cost == pytest.approx(0.25)
    assert await store.hold(ADA, DAY, 3_000, 5_000)  # 1,500 spent + 3,000 fits
    await store.release(ADA, DAY, 3_000)  # that call failed: nothing spent
    (line,) = await store.usage(DAY)
    assert line.held_tokens == 0 and line.tokens == 1_500 and line.calls == 1


async def test_people_and_days_are_counted_apart_and_a_call_larger_than_the_limit_is_refused(
    database: AsyncEngine,
) -> None:
    store = UserUsageStore(database)
    assert not await store.hold(ADA, DAY, 6_000, 5_000)
    assert await store.hold(ADA, DAY, 5_000, 5_000)
    assert await store.hold("discord:42", DAY, 5_000, 5_000)  # another person
    assert await store.hold(ADA, date(2026, 2, 13), 5_000, 5_000)  # the next day
    assert await store.hold(ADA, DAY, 50_000, 0)  # no limit
    lines = await store.usage(DAY)  # that day and later: newest first, then most spent, then by name
    assert [(line.day.day, line.user_key, line.held_tokens) for line in lines] == [
        (13, ADA, 5_000),
        (12, "discord:42", 5_000),
        (12, ADA, 55_000),
    ]


async def test_without_a_limit_nothing_is_held_but_use_is_recorded(database: AsyncEngine) -> None:
    store = UserUsageStore(database)
    await store.settle(ADA, DAY, 0, prompt_tokens=900, completion_tokens=100, cost=0.0)
    await store.settle(ADA, DAY, 0, prompt_tokens=900, completion_tokens=100, cost=0.0)
    (line,) = await store.usage(DAY, ADA)
    assert (line.calls, line.tokens, line.held_tokens) == (2, 2_000, 0)
