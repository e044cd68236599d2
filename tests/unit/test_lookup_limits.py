"""The look-up limits alone: per person across channels, per channel across people, always given back."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest

from bot.domain.channel import Actor, ChannelRef
from bot.services.lookup_limits import LookupLimits, LookupsBusy

LAB = ChannelRef("slack", "T1", "C1", "lab")
HALL = ChannelRef("slack", "T1", "C2", "hall")
ADA, BO, CY = Actor("U1"), Actor("U2"), Actor("U3")


async def test_a_person_is_limited_across_channels_and_told_how_many_are_going() -> None:
    limits = LookupLimits(per_person=2, per_channel=4)
    async with AsyncExitStack() as held:
        await held.enter_async_context(limits.slot(LAB, ADA))
        await held.enter_async_context(limits.slot(HALL, ADA))
        with pytest.raises(LookupsBusy, match="You have 2 papers being looked up on arXiv"):
            await held.enter_async_context(limits.slot(LAB, ADA))
        await held.enter_async_context(limits.slot(LAB, BO))  # someone else still may
    assert limits.going(LAB) == limits.going(LAB, ADA) == 0


async def test_a_channel_is_limited_across_people() -> None:
    limits = LookupLimits(per_person=2, per_channel=3)
    async with AsyncExitStack() as held:
        for actor in (ADA, ADA, BO):
            await held.enter_async_context(limits.slot(LAB, actor))
        with pytest.raises(LookupsBusy, match="This channel has 3 papers being looked up on arXiv"):
            await held.enter_async_context(limits.slot(LAB, CY))
        await held.enter_async_context(limits.slot(HALL, CY))  # another channel still may
        assert limits.going(LAB) == 3 and limits.going(HALL, CY) == 1


async def test_a_failed_or_cancelled_look_up_gives_its_slot_back() -> None:
    limits = LookupLimits(per_person=1, per_channel=1)
    with pytest.raises(RuntimeError):
        async with limits.slot(LAB, ADA):
            raise RuntimeError("arXiv did not answer")
    started = asyncio.Event()

    async def waiting() -> None:
        async with limits.slot(LAB, ADA):
            started.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(waiting())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with limits.slot(LAB, ADA):
        assert limits.going(LAB, ADA) == 1
    assert limits.tracked == 0  # nothing kept for people and channels with nothing going


async def test_zero_means_no_limit() -> None:
    limits = LookupLimits(per_person=0, per_channel=0)
    async with AsyncExitStack() as held:
        for _ in range(50):
            await held.enter_async_context(limits.slot(LAB, ADA))
        assert limits.going(LAB, ADA) == 50
