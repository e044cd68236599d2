"""One channel's damaged stored data never stops another channel's digest, and the channel is told.

A topic no grammar can read (written by an older version, by hand, or damaged) or a time zone
that no longer exists used to fail the whole batch of scheduled digests it was in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from adapters.console.adapter import CONSOLE_CHANNEL, CONSOLE_USER
from bot.domain.channel import ChannelRef
from bot.domain.command_parser import parse_command
from bot.domain.digest import Digest, DigestItem
from bot.domain.replies import Notice, Reply
from bot.infra.storage.tables import ChannelRow
from tests.scenario.conftest import ConsoleChat
from tests.support.scheduled import post_scheduled

GOOD = ChannelRef("bench", "W", "good")
DAMAGED = ChannelRef("bench", "W", "damaged")
BROKEN = "((( convergence"


@dataclass
class Recorder:
    """A platform that keeps each channel's digests."""

    platform: str = "bench"
    digests: dict[str, list[Digest]] = field(default_factory=dict)

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        self.digests.setdefault(channel.channel_id, []).append(digest)
        return channel.channel_id

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        return f"{parent}-{item.paper.arxiv_id}"

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        return "reply"

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        return None


async def _scheduled(chat: ConsoleChat, *refs: ChannelRef) -> Recorder:
    """The scheduled digests of these channels, due together, as `paperboy run` posts them."""
    assert chat.services is not None
    recorder = Recorder()
    chat.services.engine.register_publisher(recorder)
    await post_scheduled(chat.services, *refs)
    return recorder


async def test_a_topic_that_no_longer_reads_costs_only_itself_and_its_channel_hears_why(
    chat: ConsoleChat,
) -> None:
    assert chat.services is not None
    repository = chat.services.repository
    for ref in (GOOD, DAMAGED):
        await repository.ensure_channel(ref)
        await repository.add_topic(ref, "convergence", "ada")
    await repository.add_topic(DAMAGED, BROKEN, "an older Paperboy")  # stored as it was, unchecked

    recorder = await _scheduled(chat, GOOD, DAMAGED)

    (good,) = recorder.digests["good"]
    (damaged,) = recorder.digests["damaged"]
    assert good.items and "can no longer be read" not in good.disclaimer
    # The damaged channel still gets its readable topic's papers, and learns what to fix.
    assert [i.paper.arxiv_id for i in damaged.items] == [i.paper.arxiv_id for i in good.items]
    assert f"The topic `{BROKEN}` can no longer be read" in damaged.disclaimer
    assert "`unsubscribe` it and subscribe again" in damaged.disclaimer
    # It can be removed the way it is listed.
    assert "Unsubscribed" in await _say(chat, DAMAGED, f"unsubscribe {BROKEN}")


async def test_a_channel_whose_only_topic_no_longer_reads_gets_an_empty_digest_saying_why(
    chat: ConsoleChat,
) -> None:
    assert chat.services is not None
    await chat.services.repository.ensure_channel(DAMAGED)
    await chat.services.repository.add_topic(DAMAGED, BROKEN, "an older Paperboy")
    await chat.services.repository.ensure_channel(GOOD)
    await chat.services.repository.add_topic(GOOD, "convergence", "ada")

    recorder = await _scheduled(chat, DAMAGED, GOOD)

    (damaged,) = recorder.digests["damaged"]
    assert damaged.is_empty and f"`{BROKEN}` can no longer be read" in damaged.empty_reason
    assert recorder.digests["good"][0].items
    # On demand, in the console, the same.
    await chat.services.repository.add_topic(CONSOLE_CHANNEL, BROKEN, "an older Paperboy")
    shown = await chat.say("digest")
    assert f"`{BROKEN}` can no longer be read" in shown


async def test_a_time_zone_that_no_longer_exists_fails_only_its_own_channel(
    chat: ConsoleChat, caplog: pytest.LogCaptureFixture
) -> None:
    assert chat.services is not None
    for ref in (GOOD, DAMAGED):
        await chat.services.repository.ensure_channel(ref)
        await chat.services.repository.add_topic(ref, "convergence", "ada")
    async with chat.services.database.begin() as connection:
        await connection.execute(
            sa.update(ChannelRow)
            .where(ChannelRow.channel_id == "damaged")
            .values(timezone="Mars/Olympus_Mons")
        )

    with caplog.at_level(logging.ERROR):
        recorder = await _scheduled(chat, GOOD, DAMAGED)

    assert recorder.digests["good"][0].items
    assert "damaged" not in recorder.digests
    assert "the digest of bench:W:damaged could not be made; the other channels go on" in caplog.text
    # Asked for by hand from an event that names no channel (the store knows its name), the digest
    # says it could not be made.
    await chat.services.repository.ensure_channel(ChannelRef("bench", "W", "damaged", "lab-damaged"))
    asked = await _say(chat, DAMAGED, "digest")
    assert "could not be made" in asked and "follows no topics" not in asked


async def _say(chat: ConsoleChat, ref: ChannelRef, line: str) -> str:
    assert chat.services is not None
    reply = (await chat.services.engine.handle(ref, CONSOLE_USER, parse_command(line))).reply
    assert isinstance(reply, Notice)
    return reply.text
