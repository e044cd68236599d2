"""arXiv's day: the listing turns at midnight US Eastern, digests due just after it wait for it, and
a scheduled ingest reads every announcement day whether or not a digest is due.

The fake arXiv's listing turns on the chat's fake clock; "behind" holds a feed on yesterday.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.console.adapter import CONSOLE_CHANNEL, ConsoleAdapter, ConsolePublisher
from bot.app import build_jobs
from bot.domain.paper import Paper
from bot.runner import Runner
from bot.services import scheduled
from bot.services.ingest import IngestReport
from tests.fakes.arxiv_papers import make_paper
from tests.scenario.conftest import ConsoleChat
from tests.support.scheduled import post_scheduled

EASTERN = ZoneInfo("America/New_York")
THURSDAY = date(2026, 2, 12)
FRIDAY = date(2026, 2, 13)


def eastern(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment on arXiv's clock, in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=EASTERN).astimezone(UTC)


def convergence_paper(number: int, day: date) -> Paper:
    """A paper `convergence` matches, named after the day it is announced."""
    return make_paper(
        f"2602.{30000 + number:05d}",
        title=f"Convergence announced on {day:%A %d}",
        abstract="We prove convergence.",
        published=eastern(day, 0) - timedelta(hours=8),
    )


class FollowUp:
    """Stands for the work that starts after an ingest (explanations written ahead): records what
    it is told, and lets arXiv's feed turn ten minutes after a read that found it on yesterday."""

    def __init__(self, chat: ConsoleChat) -> None:
        self.chat = chat
        self.reports: list[IngestReport] = []

    async def after_ingest(self, report: IngestReport) -> None:
        """Remember the report; a stale read is followed by the feed turning."""
        self.reports.append(report)
        if report.behind and self.chat.fake.behind:
            self.chat.clock.advance(10 * 60)
            self.chat.fake.behind.clear()


@pytest.fixture
async def arxiv_day(chat: ConsoleChat) -> ConsoleChat:
    """The chat with a Thursday and a Friday paper, on listings that turn at midnight Eastern."""
    chat.fake.set_papers([])
    chat.fake.clock = chat.clock
    chat.fake.add_paper(convergence_paper(1, THURSDAY), day=THURSDAY)
    chat.fake.add_paper(convergence_paper(2, FRIDAY), day=FRIDAY)
    assert chat.services is not None
    chat.services.settings.digest_retry_seconds = 0.01
    chat.services.settings.digest_late_after = 0
    return chat


async def scheduled_digest(chat: ConsoleChat) -> str:
    """What a scheduled digest for the console channel posts, waits and notices included."""
    assert chat.services is not None
    out = io.StringIO()
    chat.services.engine.register_publisher(ConsolePublisher(out))
    await post_scheduled(chat.services, CONSOLE_CHANNEL)
    return out.getvalue()


async def test_a_digest_just_after_the_turn_waits_for_the_new_listing(arxiv_day: ConsoleChat) -> None:
    chat = arxiv_day
    assert chat.services is not None
    await chat.say("subscribe convergence")
    assert "Convergence announced on Thursday 12" in await chat.say("digest")
    # 07:00 in Berlin is 01:00 in New York: arXiv's feed for cs.LG still shows Thursday.
    chat.clock.set_now(eastern(FRIDAY, 1))
    chat.fake.behind.add("cs.LG")
    chat.services.catalog.follow_up = FollowUp(chat)

    posted = await scheduled_digest(chat)

    late = "Today's digest is late: arXiv's listing for Fri 13 Feb is not out yet (it still shows Thu 12 Feb)"
    assert late in posted
    assert "Convergence announced on Friday 13" in posted and "Nothing new" not in posted
    assert posted.index(late) < posted.index("Paperboy digest")
    assert len(chat.fake.requests_to("/rss")) == 3  # Thursday, Friday still on Thursday, Friday


async def test_two_hours_after_the_turn_the_digest_says_it_is_late_and_keeps_its_place(
    arxiv_day: ConsoleChat,
) -> None:
    chat = arxiv_day
    assert chat.services is not None
    await chat.say("subscribe convergence")
    await chat.say("digest")
    chat.clock.set_now(eastern(FRIDAY, 2, 30))
    chat.fake.behind.add("cs.LG")

    posted = await scheduled_digest(chat)

    assert "Nothing new yet. Late: arXiv's listing for Fri 13 Feb had not come out" in posted
    state = await chat.services.repository.get_channel(CONSOLE_CHANNEL)
    assert state is not None and state.covered_through == THURSDAY
    # Once the feed turns, the next look (at most half an hour later) brings Friday's paper.
    chat.fake.behind.clear()
    chat.clock.advance(31 * 60)
    assert "Convergence announced on Friday 13" in await scheduled_digest(chat)


async def test_a_listing_read_just_before_midnight_eastern_is_read_again_just_after(
    arxiv_day: ConsoleChat,
) -> None:
    chat = arxiv_day
    await chat.say("subscribe convergence")
    chat.clock.set_now(eastern(THURSDAY, 23, 50))
    assert "Friday 13" not in await chat.say("preview")
    chat.clock.advance(20 * 60)
    assert "Convergence announced on Friday 13" in await chat.say("preview")
    assert len(chat.fake.requests_to("/rss")) == 2


async def test_the_leader_schedules_an_ingest_after_midnight_eastern_on_announcement_days(
    arxiv_day: ConsoleChat,
) -> None:
    chat = arxiv_day
    assert chat.services is not None
    runner = Runner(chat.services, [ConsoleAdapter(chat.services.engine, stdin=io.StringIO(""))])
    runner.scheduler.start()
    try:
        upcoming = runner.scheduler.next_ingest()
        assert upcoming is not None
        assert (upcoming.hour, upcoming.minute, str(upcoming.tzinfo)) == (0, 5, "America/New_York")
        assert upcoming.weekday() < 5
    finally:
        runner.scheduler.shutdown()


async def test_the_scheduled_ingest_reads_the_day_without_a_digest_and_tells_the_follow_up(
    arxiv_day: ConsoleChat,
) -> None:
    chat = arxiv_day
    assert chat.services is not None
    follow_up = FollowUp(chat)
    chat.services.catalog.follow_up = follow_up
    await chat.say("subscribe convergence")
    chat.clock.set_now(eastern(FRIDAY, 0, 5))
    chat.fake.behind.add("cs.LG")  # not turned yet at 00:05

    await scheduled.ingest(build_jobs(chat.services))

    last = follow_up.reports[-1]
    assert (last.day, last.ids, last.behind) == (FRIDAY, ("2602.30002",), False)
    assert follow_up.reports[0].behind  # it was told of the stale read too, and can tell them apart
    stored = await chat.services.repository.papers(["2602.30002"])
    assert stored["2602.30002"].announced == FRIDAY
    assert await chat.services.repository.posted_count(CONSOLE_CHANNEL) == 0  # no digest was due


async def test_a_weekly_digest_sees_all_five_announcement_days(arxiv_day: ConsoleChat) -> None:
    chat = arxiv_day
    assert chat.services is not None
    monday = date(2026, 2, 16)
    week = [monday + timedelta(days=n) for n in range(5)]
    chat.fake.set_papers([])
    for number, day in enumerate(week, 10):
        chat.fake.add_paper(convergence_paper(number, day), day=day)
    await chat.say("subscribe convergence")
    await chat.say("schedule 09:00 UTC mon")
    sunday = monday - timedelta(days=1)
    await chat.services.repository.mark_digest_done(CONSOLE_CHANNEL, eastern(sunday, 9), sunday)
    jobs = build_jobs(chat.services)
    for day in week:
        chat.clock.set_now(eastern(day, 0, 5))
        await scheduled.ingest(jobs)

    chat.clock.set_now(datetime(2026, 2, 23, 9, 0, tzinfo=UTC))
    posted = await scheduled_digest(chat)

    for day in week:
        assert f"Convergence announced on {day:%A %d}" in posted
