"""Who sees an answer is the engine's decision, so it is the same on every platform."""

from __future__ import annotations

from datetime import time

from adapters.console.adapter import CONSOLE_CHANNEL, CONSOLE_USER
from bot.domain.audience import Audience
from bot.domain.channel import Actor
from bot.domain.command_parser import parse_command
from bot.domain.commands import Command, MarkNotRelevant, SetMaxPapers, SetSchedule
from bot.domain.digest import Digest
from bot.domain.replies import DigestPosted, Notice, Outcome, Tone
from tests.scenario.conftest import ConsoleChat

READER = Actor(user_id="U2", display_name="reader", can_manage=False, why_not="Ask a moderator.")


async def handle(
    chat: ConsoleChat, command: Command | str, *, actor: Actor = CONSOLE_USER, asked_in_channel: bool = False
) -> Outcome:
    """The engine's outcome for a command, typed as text or given as a value."""
    assert chat.services is not None
    typed = parse_command(command) if isinstance(command, str) else command
    return await chat.services.engine.handle(CONSOLE_CHANNEL, actor, typed, asked_in_channel=asked_in_channel)


async def test_changes_digests_and_explanations_are_the_channels_and_mistakes_the_persons(
    chat: ConsoleChat,
) -> None:
    for line in ("subscribe convergence", "subscribe convergence", "schedule 07:30 weekly mon", "pause"):
        outcome = await handle(chat, line)
        assert outcome.audience is Audience.CHANNEL, line  # "already follows" too: the channel's news
        assert not (isinstance(outcome.reply, Notice) and outcome.reply.tone is Tone.ERROR), line

    preview = await handle(chat, "preview")
    assert isinstance(preview.reply, Digest) and preview.audience is Audience.CHANNEL
    posted = await handle(chat, "digest")
    assert posted.audience is Audience.CHANNEL
    assert isinstance(posted.reply, DigestPosted)  # a value, not None: what went to the channel
    assert posted.reply.posted == len(posted.reply.digest.items) == len(preview.reply.items) > 0

    for line in ("frobnicate", "schedule 25:00", "settings max ²", "explain not-an-id", "subscribe (x"):
        outcome = await handle(chat, line)
        assert outcome.audience is Audience.PERSON, line
    noted = await handle(chat, MarkNotRelevant("2602.10905"))  # "Not relevant" is a 👎
    assert noted.audience is Audience.PERSON and "Noted: 👎 on 2602.10905" in str(noted.reply)
    for vote in ("like 2602.10905", "dislike 2602.10905"):  # a vote is the voter's business
        assert (await handle(chat, vote)).audience is Audience.PERSON, vote


async def test_lookups_are_answered_to_whoever_saw_the_question(chat: ConsoleChat) -> None:
    for line in ("topics", "settings", "schedule", "help"):
        assert (await handle(chat, line)).audience is Audience.PERSON, line  # a slash command
        assert (await handle(chat, line, asked_in_channel=True)).audience is Audience.CHANNEL, line


async def test_a_refusal_comes_before_a_mistake_and_goes_to_the_person_only(chat: ConsoleChat) -> None:
    for command in ("schedule 25:00", "settings max 99", SetSchedule(time(7)), SetMaxPapers(12)):
        outcome = await handle(chat, command, actor=READER)
        assert outcome.audience is Audience.PERSON
        assert outcome.reply == Notice("Ask a moderator.", Tone.ERROR), command
    assert "09:00 UTC, daily" in await chat.say("settings")  # nothing changed
    shown = await handle(chat, "schedule", actor=READER)  # looking is open to everyone
    assert isinstance(shown.reply, Notice) and "Digests arrive at 09:00 UTC" in shown.reply.text


async def test_a_typed_cap_out_of_range_is_refused_even_past_the_edge(chat: ConsoleChat) -> None:
    outcome = await handle(chat, SetMaxPapers(500))
    assert outcome.audience is Audience.PERSON
    assert isinstance(outcome.reply, Notice)
    assert "from 1 to 50; for example `settings max 15`" in outcome.reply.text
