"""A digest hour with many channels: posts are spaced across all of them, on a fake clock."""

from __future__ import annotations

import asyncio
import itertools

from adapters.discord.publisher import DiscordPublisher, Pacer
from bot.domain.channel import ChannelRef
from tests.adapters.discord.conftest import DiscordBot
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import FakeDiscord

INTERVAL = 2.0


def paced(clock: FakeClock) -> Pacer:
    async def sleep(seconds: float) -> None:
        clock.sleep(seconds)

    return Pacer(INTERVAL, monotonic=clock.monotonic, sleep=sleep)


async def test_the_pacer_gives_each_post_its_own_slot() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    slots: list[float] = []

    async def post() -> None:
        await pacer.wait_turn()
        slots.append(clock.monotonic())

    await asyncio.gather(*(post() for _ in range(6)))
    assert [b - a for a, b in itertools.pairwise(slots)] == [INTERVAL] * 5

    clock.advance(60)  # a quiet minute later, the next post goes at once
    before = len(clock.sleeps)
    await post()
    assert len(clock.sleeps) == before


async def test_digests_to_several_channels_at_once_are_paced(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    channels = [fake_discord.papers_channel, fake_discord.general_channel]
    for channel in channels:
        await fake_discord.slash("paper", "subscribe", channel=channel, topic='au:"Deyi Kong"')
    await fake_discord.wait_for(lambda: len(fake_discord.requests_to("POST", r"/webhooks/\d+/[^/]+")) == 2)
    assert bot.adapter is not None and bot.adapter.client is not None
    clock = FakeClock()
    publisher = DiscordPublisher(bot.adapter.client, paced(clock))
    refs = [ChannelRef("discord", str(fake_discord.guild_id), c["id"], c["name"]) for c in channels]
    assert bot.services is not None
    start = clock.monotonic()

    bot.services.engine.register_publisher(publisher)
    report = await bot.services.engine.delivery.run(refs)

    assert [report.outcomes[r.key].posted for r in refs] == [1, 1]
    posts = fake_discord.requests_to("POST", r"/channels/\d+/messages(/\d+/threads)?")
    assert len(posts) == 8  # per channel: header, its thread, the paper, its abstract
    assert clock.monotonic() - start == INTERVAL * (len(posts) - 1)
