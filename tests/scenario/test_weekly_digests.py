"""A weekly channel gets the week's best papers on its day, ranked together; a daily one, each day's.

The week runs on a fake clock through the real fake arXiv (its listing turns at midnight US
Eastern), the scheduled ingest at 00:05 Eastern on announcement days, and the scheduler's tick
at 09:00 in Berlin, where both channels live.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.console.adapter import CONSOLE_CHANNEL, CONSOLE_USER, ConsolePublisher
from bot.app import build_jobs
from bot.domain.channel import ChannelRef
from bot.domain.commands import SetSchedule, Subscribe
from bot.domain.digest import Digest, DigestItem
from bot.domain.paper import Paper
from bot.domain.replies import Reply
from bot.domain.schedule import parse_cadence
from bot.services import scheduled
from bot.services.delivery_report import RunReport
from bot.services.scheduled import ScheduledJobs
from tests.fakes.arxiv_papers import make_paper
from tests.scenario.conftest import ConsoleChat

EASTERN, BERLIN = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")
SUNDAY = date(2026, 2, 15)
FIRST_MONDAY, NEXT_MONDAY = date(2026, 2, 16), date(2026, 2, 23)
DAILY = ChannelRef("console", "lab", "daily", "daily")
WEEKLY = CONSOLE_CHANNEL
# Announcement day -> (papers with `convergence` in title and abstract, with it in the abstract only)
WEEK = {
    FIRST_MONDAY: (0, 2),
    date(2026, 2, 17): (0, 3),
    date(2026, 2, 18): (1, 2),
    date(2026, 2, 19): (0, 3),
    date(2026, 2, 20): (1, 2),
    NEXT_MONDAY: (1, 2),
}


def at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """A local moment, in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def announced_papers() -> dict[date, list[Paper]]:
    """Each announcement day's papers; the strong ones say `convergence` in their title too."""
    papers: dict[date, list[Paper]] = {}
    number = 0
    for day, (strong, weak) in WEEK.items():
        for kind, count in (("strong", strong), ("weak", weak)):
            for _ in range(count):
                number += 1
                title = (
                    f"Convergence of sampler {number} ({day:%a %d})"
                    if kind == "strong"
                    else f"Notes on sampler {number} ({day:%a %d})"
                )
                papers.setdefault(day, []).append(
                    make_paper(
                        f"2602.{40000 + number:05d}",
                        title=title,
                        abstract=f"We prove convergence of sampler {number}.",
                        published=at(day, 0, 0, EASTERN) - timedelta(hours=8) + timedelta(minutes=number),
                    )
                )
    return papers


class ChannelScreens:
    """Console publishers, one screen per channel, so each channel's posts can be read apart."""

    platform = "console"

    def __init__(self) -> None:
        self.screens: dict[str, io.StringIO] = defaultdict(io.StringIO)
        self._publishers: dict[str, ConsolePublisher] = {}

    def _of(self, channel: ChannelRef) -> ConsolePublisher:
        if channel.key not in self._publishers:
            self._publishers[channel.key] = ConsolePublisher(self.screens[channel.key])
        return self._publishers[channel.key]

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        """The header, on the channel's screen."""
        return await self._of(channel).post_digest_header(channel, digest)

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        """One item, on the channel's screen."""
        return f"{channel.key}:{await self._of(channel).post_digest_item(channel, digest, item, parent)}"

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        """Any other reply, on the channel's screen."""
        return await self._of(channel).post_reply(channel, reply)

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        """A terminal keeps no record of what it printed."""
        return None


async def tick_at(jobs: ScheduledJobs, chat: ConsoleChat, moment: datetime) -> RunReport | None:
    """The scheduler's tick at this moment, and the run it started (if any channel was due)."""
    chat.clock.set_now(moment)
    await scheduled.tick(jobs)
    runs = list(jobs.tasks)
    reports = [await task for task in runs]
    assert len(reports) <= 1, "one tick makes one run"
    return reports[0] if reports else None


def ids(digest: Digest) -> list[str]:
    """The digest's papers, in the order posted."""
    return [item.paper.arxiv_id for item in digest.items]


@pytest.fixture
async def week(chat: ConsoleChat) -> ConsoleChat:
    """A weekly channel (at most 3 papers) and a daily one, both following `convergence`, set up
    on a Sunday in Berlin; arXiv will announce WEEK's papers."""
    assert chat.services is not None
    chat.fake.set_papers([])
    chat.fake.clock = chat.clock
    for day, papers in announced_papers().items():
        for paper in papers:
            chat.fake.add_paper(paper, day=day)
    chat.clock.set_now(at(SUNDAY, 12, 0, BERLIN))
    await chat.say("subscribe convergence")
    assert "Next one: Mon 16 Feb 09:00 CET" in await chat.say("schedule weekly mon 09:00 Europe/Berlin")
    await chat.say("settings max 3")
    engine = chat.services.engine
    await engine.handle(DAILY, CONSOLE_USER, Subscribe("convergence"))
    await engine.handle(DAILY, CONSOLE_USER, SetSchedule(time(9, 0), "Europe/Berlin", parse_cadence("daily")))
    return chat


async def test_on_monday_the_weekly_channel_gets_the_weeks_best_and_the_daily_one_got_each_day(
    week: ConsoleChat,
) -> None:
    chat = week
    assert chat.services is not None
    screens = ChannelScreens()
    chat.services.engine.register_publisher(screens)
    jobs = build_jobs(chat.services)
    papers = announced_papers()
    by_id = {p.arxiv_id: p for day in papers.values() for p in day}
    day_of = {p.arxiv_id: day for day, group in papers.items() for p in group}

    digests: dict[str, list[Digest]] = defaultdict(list)
    ingested: list[date] = []
    day = FIRST_MONDAY
    while day <= NEXT_MONDAY:
        if day.weekday() < 5:  # the scheduled ingest's days (00:05 Eastern, Monday to Friday)
            chat.clock.set_now(at(day, 0, 5, EASTERN))
            await scheduled.ingest(jobs)
            ingested.append(day)
        report = await tick_at(jobs, chat, at(day, 9, 0, BERLIN))
        for key, outcome in (report.outcomes if report else {}).items():
            digests[key].append(outcome.digest)
        day += timedelta(days=1)

    # The daily channel got its papers day by day: each weekday's digest held that day's papers.
    daily = [d for d in digests[DAILY.key] if d.items]
    assert [d.day for d in daily] == [d for d in WEEK]
    for digest in daily:
        assert sorted(ids(digest)) == sorted(p.arxiv_id for p in papers[digest.day])

    # The weekly channel: a first digest on the first Monday, then one digest a week later.
    first, second = digests[WEEKLY.key]
    assert (first.day, second.day) == (FIRST_MONDAY, NEXT_MONDAY)
    assert {day_of[a] for a in ids(first)} == {FIRST_MONDAY}
    assert len(ingested) == 6  # Monday to Friday, and the next Monday's listing before its digest
    # The next Monday's digest ranked the five announcement days since together and kept the 3
    # best (the channel's own cap): the papers with the topic in their title, from three days, not
    # Tuesday's papers first, nor the latest day's alone.
    strong = [a for a, p in by_id.items() if p.title.startswith("Convergence")]
    assert sorted(ids(second)) == sorted(strong)
    assert {day_of[a] for a in ids(second)} == {date(2026, 2, 18), date(2026, 2, 20), NEXT_MONDAY}
    scores = [item.score for item in second.items]
    weak_score = max(
        item.score for d in daily for item in d.items if not item.paper.title.startswith("Convergence")
    )
    assert scores == sorted(scores, reverse=True) and min(scores) > weak_score
    week_papers = sum(len(papers[d]) for d in WEEK if d != FIRST_MONDAY)
    assert second.more_available == week_papers - 3  # the rest of the week stays within `more`'s reach
    screen = screens.screens[WEEKLY.key].getvalue()
    assert all(by_id[a].title in screen for a in strong)
    assert "Notes on sampler 3 (Tue 17)" not in screen
    assert "Notes on sampler 3 (Tue 17)" in screens.screens[DAILY.key].getvalue()

    # `more` after the weekly digest posts the week's next papers, back to its Tuesday, then stops.
    posted_more: list[str] = []
    for _ in range(5):
        before = screens.screens[WEEKLY.key].tell()
        await chat.say("more")
        shown = screens.screens[WEEKLY.key].getvalue()[before:]
        posted_more += [a for a in by_id if by_id[a].title in shown]
    week_ids = {a for a, d in day_of.items() if d != FIRST_MONDAY}
    assert sorted(posted_more) == sorted(week_ids - set(strong))  # each once, the first Monday's none


async def test_a_first_weekly_digest_covers_the_last_week_and_respects_a_lower_cap(week: ConsoleChat) -> None:
    chat = week
    assert chat.services is not None
    screens = ChannelScreens()
    chat.services.engine.register_publisher(screens)
    jobs = build_jobs(chat.services)
    # The week is ingested while the weekly channel is paused; it resumes on Sunday, lowers its cap.
    await chat.say("pause")
    for day in WEEK:
        if day != NEXT_MONDAY:
            chat.clock.set_now(at(day, 0, 5, EASTERN))
            await scheduled.ingest(jobs)
    chat.clock.set_now(at(NEXT_MONDAY - timedelta(days=1), 12, 0, BERLIN))
    await chat.say("resume")
    await chat.say("settings max 2")

    report = await tick_at(jobs, chat, at(NEXT_MONDAY, 9, 0, BERLIN))
    assert report is not None
    digest = report.outcomes[WEEKLY.key].digest
    papers = announced_papers()
    day_of = {p.arxiv_id: day for day, group in papers.items() for p in group}
    # Seven days back from the newest listing (the next Monday's): Tuesday to Monday, not the
    # three days a first daily digest reads.
    assert len(digest.items) == 2
    assert {day_of[a] for a in ids(digest)} == {date(2026, 2, 20), NEXT_MONDAY}
    reachable = [a for a, d in day_of.items() if d > FIRST_MONDAY]
    assert digest.more_available == len(reachable) - 2
    settings = await chat.say("settings")
    assert "Schedule:     09:00 Europe/Berlin, weekly on Monday" in settings
    assert "Max papers:   2" in settings
    assert "Next digest:  2026-03-02 08:00 UTC" in settings  # the Monday after, 09:00 in Berlin
