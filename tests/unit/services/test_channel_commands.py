"""Managing a channel's topics and schedule, answered as a person in the channel would read it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.channel import Actor, ChannelRef
from bot.domain.commands import SetSchedule
from bot.domain.listing import Listing
from bot.domain.paper import Paper
from bot.domain.replies import Notice, Tone, TopicList
from bot.services.catalog import PaperCatalog
from bot.services.channel_commands import MAX_TOPICS_PER_CHANNEL, ChannelCommands
from bot.services.lookup_limits import LookupLimits
from bot.services.paper_lookup import PaperLookup
from tests.fakes.clock import FakeClock
from tests.support.memory_stores import (
    MemoryDigestTimes,
    MemoryListedPapers,
    MemoryMisses,
    MemoryMutes,
    MemoryStorage,
)

CHANNEL = ChannelRef("console", "local", "general", "general")
ADA = Actor("U1", "Ada")


def commands(storage: MemoryStorage, clock: FakeClock) -> tuple[ChannelCommands, MemoryDigestTimes]:
    times = MemoryDigestTimes(storage)
    catalog = PaperCatalog(
        storage,
        NoPapers(),
        clock,
        listings=MemoryListedPapers(storage),
        misses=MemoryMisses(timedelta(hours=1)),
    )
    lookup = PaperLookup(catalog, LookupLimits(), clock)
    return ChannelCommands(storage, clock, times, lookup, MemoryMutes(storage)), times


class NoPapers:
    """A paper source that knows no paper (these tests follow words, never `like:` a paper)."""

    async def fetch_papers(self, ids: Sequence[str]) -> list[Paper]:
        return []

    async def search(self, query: str, max_results: int = 20) -> list[Paper]:
        return []

    async def fetch_listing(self, categories: Sequence[str]) -> Listing:
        raise AssertionError("no listing is read here")

    async def fetch_listed_papers(self, ids: Sequence[str], day: date | None) -> list[Paper]:
        return []


async def test_subscribing_adds_the_topic_once_and_tells_how_many_the_channel_follows(
    storage: MemoryStorage, clock: FakeClock
) -> None:
    channel, _ = commands(storage, clock)

    reply = await channel.subscribe(CHANNEL, ADA, "convergence")
    again = await channel.subscribe(CHANNEL, ADA, "convergence")

    assert isinstance(reply, Notice) and reply.tone is Tone.SUCCESS
    assert "Subscribed to `convergence`" in reply.text and "follows 1 topic;" in reply.text
    assert isinstance(again, Notice) and again.tone is Tone.INFO and "already follows" in again.text
    listed = await channel.topics(CHANNEL)
    assert isinstance(listed, TopicList)
    assert [(e.number, e.topic, e.added_by) for e in listed.topics] == [(1, "convergence", "Ada")]


async def test_a_channel_cannot_follow_more_than_the_cap(storage: MemoryStorage, clock: FakeClock) -> None:
    channel, _ = commands(storage, clock)
    for n in range(MAX_TOPICS_PER_CHANNEL):
        await storage.add_topic(CHANNEL, f"topic{n}", "Ada")

    reply = await channel.subscribe(CHANNEL, ADA, "convergence")

    assert isinstance(reply, Notice) and reply.tone is Tone.ERROR
    assert f"already follows {MAX_TOPICS_PER_CHANNEL} topics" in reply.text and "unsubscribe" in reply.text
    assert len(await storage.topics(CHANNEL)) == MAX_TOPICS_PER_CHANNEL


async def test_unsubscribing_by_number_or_text_and_a_friendly_answer_for_a_wrong_number(
    storage: MemoryStorage, clock: FakeClock
) -> None:
    channel, _ = commands(storage, clock)
    for topic in ("convergence", "diffusion models", "graph neural networks"):
        await channel.subscribe(CHANNEL, ADA, topic)

    by_number = await channel.unsubscribe(CHANNEL, "2")
    by_text = await channel.unsubscribe(CHANNEL, "convergence")
    wrong = await channel.unsubscribe(CHANNEL, "7")

    assert by_number == Notice("Unsubscribed from `diffusion models`.", Tone.SUCCESS)
    assert by_text == Notice("Unsubscribed from `convergence`.", Tone.SUCCESS)
    assert isinstance(wrong, Notice) and wrong.tone is Tone.ERROR
    assert wrong.text == "There is no topic number 7; `topics` lists 1 to 1."
    assert [e.topic for e in await storage.topics(CHANNEL)] == ["graph neural networks"]


async def test_a_new_schedule_is_kept_announced_and_handed_to_the_scheduler(
    storage: MemoryStorage, clock: FakeClock
) -> None:
    channel, times = commands(storage, clock)
    state = await storage.ensure_channel(CHANNEL)

    reply = await channel.set_schedule(state, SetSchedule(time(7, 30), "Europe/Berlin"))

    stored = await storage.get_channel(CHANNEL)
    assert stored is not None
    assert (stored.schedule.at, stored.schedule.timezone) == (time(7, 30), "Europe/Berlin")
    assert isinstance(reply, Notice) and reply.tone is Tone.SUCCESS
    assert reply.text.startswith("Digests will arrive at 07:30 Europe/Berlin") and "Next one:" in reply.text
    upcoming = await times.next_digest_at(CHANNEL)  # what the scheduler's tick will read
    assert upcoming is not None and upcoming > clock.now()
    assert upcoming.astimezone(ZoneInfo("Europe/Berlin")).time() == time(7, 30)
    assert f"{upcoming.astimezone(ZoneInfo('Europe/Berlin')):%a %d %b %H:%M}" in reply.text


async def test_a_paused_channel_has_no_digest_time_until_it_resumes(
    storage: MemoryStorage, clock: FakeClock
) -> None:
    channel, times = commands(storage, clock)
    state = await storage.ensure_channel(CHANNEL)

    paused = await channel.set_paused(state, True)
    assert isinstance(paused, Notice) and paused.text.startswith("Paused")
    assert await times.next_digest_at(CHANNEL) is None
    assert await times.due(clock.now() + timedelta(days=8), {"console"}) == []

    stored = await storage.get_channel(CHANNEL)
    assert stored is not None
    resumed = await channel.set_paused(stored, False)
    assert isinstance(resumed, Notice) and resumed.text.startswith("Resumed: digests arrive at 09:00 UTC")
    upcoming = await times.next_digest_at(CHANNEL)
    assert upcoming is not None
    assert [d.ref for d in await times.due(upcoming, {"console"})] == [CHANNEL]
