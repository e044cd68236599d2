"""Votes typed in the console (`like`, `dislike`), `settings` figures, and `paperboy relevance`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from adapters.console.adapter import CONSOLE_CHANNEL
from bot.domain.channel import Actor, ChannelRef
from bot.domain.commands import Vote
from bot.domain.votes import ChannelVote
from tests.fakes.clock import FakeClock
from tests.scenario.conftest import ConsoleChat
from tests.support.processes import clean_env, run_paperboy
from tests.support.votes import votes_in

NHGD_ID = "2602.10905"


async def test_like_and_dislike_in_the_console_change_one_vote(chat: ConsoleChat) -> None:
    assert chat.services is not None
    assert f"Noted: 👍 on {NHGD_ID}" in await chat.say(f"like arXiv:{NHGD_ID}v2")
    assert await votes_in(chat.services, CONSOLE_CHANNEL) == [ChannelVote(NHGD_ID, 1, weak=False)]
    assert f"Changed: your vote on {NHGD_ID} is now 👎" in await chat.say(f"dislike {NHGD_ID}")
    assert "You had already voted 👎" in await chat.say(f"/paper dislike {NHGD_ID}")
    assert await votes_in(chat.services, CONSOLE_CHANNEL) == [ChannelVote(NHGD_ID, -1, weak=False)]

    assert "Give one arXiv id, e.g. `like 2602.10905`" in await chat.say("like")
    assert "Give one arXiv id, e.g. `dislike 2602.10905`" in await chat.say("dislike 1 2")
    assert "arXiv" in await chat.say("like convergence")
    assert len(await votes_in(chat.services, CONSOLE_CHANNEL)) == 1

    assert "Ranking:      0% 👍 of 1 voted item in the last 30 days; 1 vote from members" in (
        await chat.say("settings")
    )
    assert "like <arXiv id>" in await chat.say("help")


async def test_relevance_prints_every_voted_channels_figures(
    chat: ConsoleChat, clock: FakeClock, tmp_path: Path
) -> None:
    assert chat.services is not None
    clock.set_now(datetime.now(UTC))  # the command counts 30 days back from the real today
    engine = chat.services.engine
    rooms = [ChannelRef("slack", "T1", f"C{n}", f"room{n}") for n in range(3)]
    for person in ("U1", "U2", "U3"):
        await engine.handle(rooms[0], Actor(person, person), Vote(NHGD_ID, up=person != "U3"))
    await engine.handle(rooms[0], Actor("U4", "d"), Vote("2602.20000", up=False))
    await engine.handle(rooms[1], Actor("U1", "a"), Vote(NHGD_ID, up=True))
    await engine.handle(rooms[2], Actor("U1", "a"), Vote("junk", up=True))  # refused: no vote

    env = clean_env(DATABASE_URL=chat.settings.database_url, DATA_DIR=str(tmp_path))
    shown = await asyncio.to_thread(run_paperboy, env, "relevance")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        "slack:T1:C0 #room0: 50% 👍 of 2 voted items in the last 30 days; 4 votes from members",
        "slack:T1:C1 #room1: 100% 👍 of 1 voted item in the last 30 days; 1 vote from members",
    ]


async def test_relevance_without_votes_says_how_votes_are_given(chat: ConsoleChat, tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=chat.settings.database_url, DATA_DIR=str(tmp_path))
    shown = await asyncio.to_thread(run_paperboy, env, "relevance")
    assert shown.returncode == 0, shown.stderr
    assert "No channel has votes yet" in shown.stdout
