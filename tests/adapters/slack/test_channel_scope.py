"""With SLACK_MANAGERS=everyone (the default) any member may change a channel's settings: these tests
show that what they can change is the channel they type in (topics, schedule, pause, papers per
digest), never another channel's, and nothing beyond the channel."""

from __future__ import annotations

import dataclasses
import typing
from datetime import UTC, datetime
from typing import Any

from bot.domain.channel import ChannelRef
from bot.domain.commands import Command
from bot.domain.votes import VoteFigures
from tests.adapters.slack.conftest import CHANNEL, PAPERS, SlackBot
from tests.fakes import slack_payloads as wire
from tests.fakes.slack_server import FakeSlack

OTHER = ChannelRef("slack", wire.TEAM_ID, "C0OTHER", "other")
MEMBER = {"user_id": "U0BOB", "user_name": "bob"}  # a plain member: no admin, not listed anywhere


async def _type(slack: FakeSlack, bot: SlackBot, text: str, channel: ChannelRef, **who: str) -> None:
    envelope = await slack.send_slash_command(
        text, channel_id=channel.channel_id, channel_name=channel.name, **who
    )
    await slack.wait_for_ack(envelope)
    await bot.idle()


async def _snapshot(bot: SlackBot, ref: ChannelRef) -> tuple[Any, ...]:
    """Everything a member can change about a channel."""
    assert bot.services is not None
    repository = bot.services.repository
    state = await repository.get_channel(ref)
    assert state is not None
    topics = [t.topic for t in await repository.topics(ref)]
    votes = await bot.services.engine.votes.store.figures(ref, since=datetime(2000, 1, 1, tzinfo=UTC))
    return topics, state.schedule, state.paused, state.max_papers, votes


async def test_every_setting_a_member_changes_is_the_channel_they_typed_in(
    slack: FakeSlack, bot: SlackBot
) -> None:
    slack.add_user("U0BOB", "bob")
    for text in ("subscribe diffusion", "schedule 07:00 Europe/Berlin weekdays", "settings max 7"):
        await _type(slack, bot, text, OTHER)
    other_before = await _snapshot(bot, OTHER)
    calls_before = len(slack.records)

    for text in (
        "subscribe convergence",
        "subscribe <#C0OTHER|other> diffusion",  # naming another channel is refused as a mention
        "unsubscribe 1",  # this channel's topic 1, not #other's
        "schedule 06:00 UTC daily",
        "settings max 3",
        "pause",
        "preview",
    ):
        await _type(slack, bot, text, PAPERS, **MEMBER)
    mention = wire.message_event("<@U0BOT> schedule 05:30 UTC", mention=True, user_id="U0BOB")
    await slack.wait_for_ack(await slack.send_event(mention))
    click = await slack.click("paperboy_not_relevant:2602.10905", "2602.10905",
                              message_ts="1770000001.000100", user_id="U0BOB")  # fmt: skip
    await slack.wait_for_ack(click)
    await bot.idle()

    assert await _snapshot(bot, OTHER) == other_before
    topics, schedule, paused, max_papers, votes = await _snapshot(bot, PAPERS)
    assert topics == []  # convergence was unsubscribed; the channel mention was never saved
    assert (schedule.at.isoformat(timespec="minutes"), schedule.timezone) == ("05:30", "UTC")
    assert paused and max_papers == 3 and votes == VoteFigures(voted_items=1, liked_items=0, votes=1)
    assert bot.services is not None
    assert {s.ref.channel_id for s in await bot.services.repository.all_channels()} == {CHANNEL, "C0OTHER"}
    posted = [r.data.get("channel") for r in slack.records[calls_before:] if r.kind.startswith("chat.")]
    assert posted and set(posted) == {CHANNEL}  # every message went to the channel typed in


async def test_a_button_acts_on_the_channel_its_message_is_in_whatever_its_value_says(
    slack: FakeSlack, bot: SlackBot
) -> None:
    await _type(slack, bot, "subscribe diffusion", OTHER)
    other_before = await _snapshot(bot, OTHER)
    for action, value in (("paperboy_not_relevant:C0OTHER", "C0OTHER"), ("paperboy_explain:C0OTHER", "")):
        envelope = await slack.click(action, value, message_ts="1770000001.000100", user_id="U0ADA")
        await slack.wait_for_ack(envelope)
    await bot.idle()

    assert await _snapshot(bot, OTHER) == other_before
    told = [r.data for r in slack.records if r.kind.startswith("chat.")]
    assert told and {t["channel"] for t in told} == {CHANNEL}  # refused where it was pressed
    assert all(t.get("user") == "U0ADA" for t in told if "user" in t)


def test_no_command_carries_a_channel_so_none_can_reach_another_one() -> None:
    # Adapters give the engine the channel from the signed payload; a command holds only its arguments.
    for command in typing.get_args(Command):
        names = {f.name for f in dataclasses.fields(command)}
        assert not {n for n in names if "channel" in n or "workspace" in n or "team" in n}, command
