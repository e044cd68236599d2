"""Digests on time, in each channel's own time zone, and once after a restart past their time."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from adapters.console.adapter import CONSOLE_CHANNEL, CONSOLE_USER, ConsoleAdapter, ConsolePublisher
from bot.domain.channel import ChannelRef
from bot.domain.commands import SetSchedule
from bot.domain.paper import Paper
from bot.domain.schedule import parse_cadence
from bot.runner import Runner
from tests.fakes.arxiv_papers import make_paper
from tests.scenario.conftest import ConsoleChat

BERLIN, TOKYO = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo")


async def run_once(chat: ConsoleChat) -> str:
    """`paperboy run` with the console on empty input: start, catch up, stop. Returns what was posted."""
    assert chat.services is not None
    out = io.StringIO()
    console = ConsoleAdapter(chat.services.engine, stdin=io.StringIO(""), out=out)
    await Runner(chat.services, [console]).run()
    return out.getvalue()


async def test_each_channel_gets_its_next_digest_time_in_its_own_time_zone(chat: ConsoleChat) -> None:
    assert chat.services is not None
    await chat.say("subscribe convergence")
    await chat.say("schedule 09:00 Europe/Berlin weekdays")
    tokyo = ChannelRef("console", "lab", "tokyo", "tokyo")
    tokyo_daily = SetSchedule(time(7, 15), "Asia/Tokyo", parse_cadence("daily"))
    await chat.services.engine.handle(tokyo, CONSOLE_USER, tokyo_daily)
    times = chat.services.times

    berlin_next = await times.next_digest_at(CONSOLE_CHANNEL)
    tokyo_next = await times.next_digest_at(tokyo)
    assert berlin_next is not None and tokyo_next is not None
    berlin_next, tokyo_next = berlin_next.astimezone(BERLIN), tokyo_next.astimezone(TOKYO)
    assert (berlin_next.hour, berlin_next.minute) == (9, 0)
    assert berlin_next.weekday() < 5
    assert (tokyo_next.hour, tokyo_next.minute) == (7, 15)
    assert berlin_next > chat.clock.now() and tokyo_next > chat.clock.now()

    # A schedule change moves the next digest at once; pausing removes it, resuming brings it back.
    await chat.say("schedule 18:30")
    moved = await times.next_digest_at(CONSOLE_CHANNEL)
    assert moved is not None and (moved.astimezone(BERLIN).hour, moved.astimezone(BERLIN).minute) == (18, 30)
    await chat.say("pause")
    assert await times.next_digest_at(CONSOLE_CHANNEL) is None
    await chat.say("resume")
    assert await times.next_digest_at(CONSOLE_CHANNEL) == moved


async def test_a_restart_after_the_digest_time_posts_that_digest_once(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    await chat.say("schedule 09:00 UTC daily")
    await chat.say("digest")  # yesterday's digest, say
    chat.fake.listing_day += timedelta(days=1)
    chat.fake.add_paper(_new_convergence_paper(chat.fake.listing_day))

    # The bot was down at 09:00 the next day and comes back at 09:20.
    chat.clock.set_now(
        datetime.combine(chat.fake.listing_day, datetime.min.time(), UTC) + timedelta(hours=9, minutes=20)
    )
    first = await run_once(chat)
    assert "Catching up: a convergence theorem" in first

    second = await run_once(chat)
    assert "Catching up: a convergence theorem" not in second
    assert second == ""


async def test_no_catch_up_before_the_digest_time(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    await chat.say("schedule 23:00 UTC daily")
    await chat.say("digest")
    assert await run_once(chat) == ""


def _new_convergence_paper(day: date) -> Paper:
    moment = datetime.combine(day, datetime.min.time(), UTC) - timedelta(hours=6)
    return make_paper(
        "2602.95001",
        title="Catching up: a convergence theorem for missed schedules",
        authors=("Ada Late",),
        abstract="We prove that delayed digests converge.",
        published=moment,
    )


async def test_a_running_leader_posts_a_digest_when_its_time_comes(chat: ConsoleChat) -> None:
    assert chat.services is not None
    await chat.say("subscribe convergence")
    await chat.say("schedule 09:00 UTC daily")
    chat.services.settings.scheduler_tick_seconds = 0.05
    out = io.StringIO()
    chat.services.engine.register_publisher(ConsolePublisher(out))
    runner = Runner(chat.services, [])
    await runner.election.step()  # the only process: it leads and starts the scheduler
    try:
        assert runner.scheduler.running
        due = await chat.services.times.next_digest_at(CONSOLE_CHANNEL)
        assert due is not None and "Paperboy digest" not in out.getvalue()
        chat.clock.set_now(due)  # 09:00 comes while the process runs: APScheduler's tick finds it

        for _ in range(400):  # up to 20 s on a busy machine
            if "Paperboy digest" in out.getvalue():
                break
            await asyncio.sleep(0.05)
        assert "Paperboy digest" in out.getvalue()
        await asyncio.gather(*runner.jobs.tasks)  # the run records the digest and moves the time on
        later = await chat.services.times.next_digest_at(CONSOLE_CHANNEL)
        assert later is not None and later > due  # the next digest is tomorrow's, not a repeat
    finally:
        await runner.shutdown()
