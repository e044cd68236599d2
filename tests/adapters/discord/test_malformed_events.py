"""Malformed gateway events, sent by the fake Discord to the real discord.py: logged and dropped, never
the end of the connection; the next valid command is answered."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

from tests.adapters.discord.conftest import DiscordBot, text_of
from tests.fakes import discord_payloads as p
from tests.fakes.discord_server import FakeDiscord


def _without(payload: dict[str, Any], *path: str) -> dict[str, Any]:
    """A deep copy of `payload` with the field at `path` removed."""
    broken = copy.deepcopy(payload)
    holder = broken
    for key in path[:-1]:
        holder = holder[key]
    del holder[path[-1]]
    return broken


async def test_an_interaction_whose_channel_has_no_position_does_not_end_the_connection(
    bot: DiscordBot, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    # The event that ended `paperboy run` (issue 12): a channel discord.py has not cached is built
    # from the interaction's own channel object, and TextChannel reads data["position"].
    valid = fake_discord.slash_payload("paper", "topics")
    valid["channel"] = p.text_channel(p.snowflake(), fake_discord.guild_id, "new-channel", 7)
    valid["channel_id"] = valid["channel"]["id"]
    broken = _without(valid, "channel", "position")
    with caplog.at_level(logging.WARNING):
        await fake_discord.dispatch("INTERACTION_CREATE", broken)
        answer = await bot.run("paper", "subscribe", topic="convergence")
    assert "Subscribed to `convergence`" in text_of(answer)
    assert bot.adapter is not None and bot.adapter.connected
    dropped = [r.getMessage() for r in caplog.records if "dropped a malformed" in r.getMessage()]
    assert dropped and "INTERACTION_CREATE" in dropped[0] and "position" in dropped[0]
    assert broken["token"] not in caplog.text  # the interaction's token never reaches the log


def _broken_events(fake: FakeDiscord) -> list[tuple[str, Any]]:
    """Gateway events whose parser in discord.py fails on them, each in its own way."""
    valid = fake.slash_payload("paper", "topics")
    channel = fake.papers_channel
    button = {**copy.deepcopy(valid), "type": 3, "data": {"component_type": 2}}  # no custom_id
    return [
        ("INTERACTION_CREATE", "not an object"),
        ("INTERACTION_CREATE", None),
        ("INTERACTION_CREATE", button),
        ("CHANNEL_UPDATE", _without(channel, "position")),
        ("THREAD_CREATE", {"id": str(p.snowflake()), "guild_id": str(fake.guild_id), "type": 11}),
        ("MESSAGE_CREATE", {"id": str(p.snowflake()), "channel_id": channel["id"], "content": "hi"}),
        ("GUILD_CREATE", {"id": str(p.snowflake()), "name": "elsewhere", "channels": [{"id": "1"}]}),
    ]


async def test_a_stream_of_malformed_events_is_dropped_and_the_next_command_answered(
    bot: DiscordBot, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    broken = _broken_events(fake_discord)
    valid = fake_discord.slash_payload("paper", "topics")
    # Parsed without error but nonsense: ignored by discord.py, or refused by the command's error handler.
    odd = [{**copy.deepcopy(valid), "type": "two"}, _without(valid, "member")]
    with caplog.at_level(logging.WARNING):
        for event, data in broken:
            await fake_discord.dispatch(event, data)
        for data in odd:
            await fake_discord.dispatch("INTERACTION_CREATE", data)
        answer = await bot.run("paper", "subscribe", topic="convergence")
    assert "Subscribed to `convergence`" in text_of(answer)
    assert bot.adapter is not None and bot.adapter.connected
    dropped = [r.getMessage() for r in caplog.records if "dropped a malformed" in r.getMessage()]
    assert [line.split()[4] for line in dropped] == [event for event, _ in broken]
    assert "fake-bot-token" not in caplog.text
