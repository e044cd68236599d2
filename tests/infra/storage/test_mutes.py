"""Mutes in the database, on a real SQLite file and a real PostgreSQL server: their cap holds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.domain.channel import ChannelRef
from bot.domain.mutes import MAX_MUTES_PER_CHANNEL
from bot.infra.storage.mutes import MuteAdded, MuteStore
from tests.infra.storage.conftest import MakeRepository

GENERAL = ChannelRef("slack", "T1", "C1", "general")
RANDOM = ChannelRef("discord", "G1", "42", "random")
AT = datetime(2026, 2, 12, 9, 0, tzinfo=UTC)


async def test_the_mute_cap_holds_when_two_processes_mute_120_times_at_once(
    make_repository: MakeRepository,
) -> None:
    # Two engines stand for two processes; each fires 60 mutes at the same instant.
    first, second = await make_repository(), await make_repository()
    await first.ensure_channel(GENERAL)
    await first.ensure_channel(RANDOM)
    stores = MuteStore(first.engine), MuteStore(second.engine)
    cap = MAX_MUTES_PER_CHANNEL
    outcomes = await asyncio.gather(
        *(stores[n % 2].add(GENERAL, f"word{n}", "mallory", AT, cap=cap) for n in range(120))
    )
    assert outcomes.count(MuteAdded.ADDED) == cap == 20
    assert outcomes.count(MuteAdded.FULL) == 100
    muted = await stores[1].of_channel(GENERAL)
    assert len(muted) == 20
    # The same term muted at once by both processes is stored once; other channels are untouched.
    again = await asyncio.gather(*(s.add(RANDOM, "rendering", "ada", AT, cap=cap) for s in stores))
    assert sorted(again) == [MuteAdded.ADDED, MuteAdded.ALREADY]
    assert await stores[0].of_channels([1, 2, 99]) == {1: muted, 2: ["rendering"]}


async def test_unmuting_removes_only_that_channels_term(make_repository: MakeRepository) -> None:
    repo = await make_repository()
    await repo.ensure_channel(GENERAL)
    await repo.ensure_channel(RANDOM)
    store = MuteStore(repo.engine)
    for channel in (GENERAL, RANDOM):
        assert await store.add(channel, "cat:cs.CV", "ada", AT, cap=20) is MuteAdded.ADDED
    assert await store.remove(GENERAL, "cat:cs.CV")
    assert not await store.remove(GENERAL, "cat:cs.CV")
    assert await store.of_channel(GENERAL) == []
    assert await store.of_channel(RANDOM) == ["cat:cs.CV"]
    assert await store.of_channel(ChannelRef("slack", "T9", "C9", "never seen")) == []
