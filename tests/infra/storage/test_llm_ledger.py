"""The LLM ledger on SQLite and PostgreSQL: writes arriving together share commits and lose nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.infra.storage.database import create_engine
from bot.infra.storage.llm_store import LlmStore
from bot.infra.storage.migrate import upgrade_database
from bot.ports import ExplanationKey

DAY = date(2026, 2, 12)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A fresh database with the schema, on each backend."""
    engine = create_engine(database_url)
    await upgrade_database(engine)
    yield engine
    await engine.dispose()


async def test_concurrent_calls_add_up_per_channel_and_day(database: AsyncEngine) -> None:
    store = LlmStore(database)

    async def call(channel: str, n: int) -> None:
        await store.record_usage(channel, DAY, prompt_tokens=100 + n, completion_tokens=10, cost=0.5)

    await asyncio.gather(*(call(f"slack:T:C{n % 3}", n) for n in range(60)))
    await call("slack:T:C0", 1000)  # a later call adds to the same row

    lines = {line.channel_key: line for line in await LlmStore(database).usage(DAY)}
    assert {key: line.calls for key, line in lines.items()} == {
        "slack:T:C0": 21,
        "slack:T:C1": 20,
        "slack:T:C2": 20,
    }
    assert lines["slack:T:C1"].prompt_tokens == sum(100 + n for n in range(60) if n % 3 == 1)
    assert lines["slack:T:C0"].cost == pytest.approx(10.5)
    assert await store.tokens_used(DAY) == sum(110 + n for n in range(60)) + 1110


async def test_the_first_explanation_saved_for_a_key_is_kept(database: AsyncEngine) -> None:
    store = LlmStore(database)
    keys = [ExplanationKey(f"2602.{n:05d}", 1, "openai/m", "v1") for n in range(40)]
    await asyncio.gather(
        *(
            store.save_explanation(key, f"text {n} {attempt}", "title and abstract", prompt_tokens=1,
                                   completion_tokens=1, cost=0.0)
            for attempt in ("first", "second")
            for n, key in enumerate(keys)
        )
    )  # fmt: skip
    found = await LlmStore(database).explanations(keys)
    assert len(found) == 40
    assert all(found[key].text == f"text {n} first" for n, key in enumerate(keys))
    assert (await store.explanation(keys[7])) == found[keys[7]]
