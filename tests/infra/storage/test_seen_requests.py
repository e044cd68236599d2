"""Replay protection in the database (SQLite and PostgreSQL): a request id is new once, for every
process on the database, and forgotten after the minutes Slack may redeliver it in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.infra.storage.database import create_engine
from bot.infra.storage.migrate import upgrade_database
from bot.infra.storage.seen_requests import KEEP, PRUNE_EVERY_SECONDS, SeenRequests
from tests.fakes.clock import FakeClock

MakeStore = Callable[[], Awaitable[SeenRequests]]


@pytest.fixture
async def make_store(database_url: str, clock: FakeClock) -> AsyncIterator[MakeStore]:
    """Stores on the test's migrated database, each with its own engine (like a process)."""
    engines: list[AsyncEngine] = []

    async def make() -> SeenRequests:
        engine = create_engine(database_url)
        engines.append(engine)
        await upgrade_database(engine)
        return SeenRequests(engine, clock, monotonic=clock.monotonic)

    yield make
    for engine in engines:
        await engine.dispose()


async def _rows(store: SeenRequests) -> int:
    async with store._engine.connect() as connection:
        return int((await connection.execute(sa.text("SELECT count(*) FROM seen_requests"))).scalar_one())


async def test_an_id_is_new_once_and_a_repeat_after(make_store: MakeStore) -> None:
    store = await make_store()
    assert await store.first_time("slack:Ev01")
    assert not await store.first_time("slack:Ev01")
    assert await store.first_time("slack:Ev02")


async def test_a_restarted_process_and_a_second_process_know_the_ids_already_seen(
    make_store: MakeStore,
) -> None:
    first = await make_store()
    assert await first.first_time("slack:Ev01")
    restarted, replica = await make_store(), await make_store()
    assert not await restarted.first_time("slack:Ev01")
    assert not await replica.first_time("slack:Ev01")


async def test_processes_racing_on_one_id_let_exactly_one_handle_it(make_store: MakeStore) -> None:
    stores = [await make_store() for _ in range(3)]
    answers = await asyncio.gather(*(stores[n % 3].first_time("slack:Ev-race") for n in range(30)))
    assert answers.count(True) == 1


async def test_ids_older_than_the_window_are_pruned(make_store: MakeStore, clock: FakeClock) -> None:
    store = await make_store()
    for n in range(5):
        await store.first_time(f"slack:Ev-old-{n}")
    clock.advance(KEEP.total_seconds() + PRUNE_EVERY_SECONDS + 1)
    assert await store.first_time("slack:Ev-new")
    assert await _rows(store) == 1  # only the new one is kept: the table stays minutes long
    assert await store.first_time("slack:Ev-old-0")  # long past any redelivery


async def test_an_overlong_or_empty_key_is_not_remembered(make_store: MakeStore) -> None:
    store = await make_store()
    assert await store.first_time("x" * 500) and await store.first_time("x" * 500)
    assert await store.first_time("")
    assert await _rows(store) == 0
