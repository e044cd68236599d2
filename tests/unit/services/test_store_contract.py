"""The same checks on the SQLite stores and on the memory stand-ins, so the two cannot drift apart.

Every service test on the memory stores leans on these rules; a rule the stand-in got wrong fails
here on the "memory" run while the "sqlite" run passes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from bot.domain.channel import ChannelRef
from bot.domain.schedule import Schedule, changed_schedule, parse_cadence, parse_weekdays
from bot.infra.storage.database import create_engine
from bot.infra.storage.digest_times import DigestTimes
from bot.infra.storage.listing_store import ListingStore
from bot.infra.storage.llm_store import LlmStore
from bot.infra.storage.migrate import upgrade_database
from bot.infra.storage.paper_misses import PaperMisses
from bot.infra.storage.repository import Repository
from bot.infra.storage.user_usage import UserUsageStore
from bot.ports import (
    ChannelUsage,
    DigestTimetable,
    ExplanationCache,
    ExplanationKey,
    ListedPapers,
    MissLog,
    PersonUsage,
    Storage,
    TopicAdded,
)
from tests.fakes.clock import FakeClock
from tests.support.memory_stores import (
    MemoryDigestTimes,
    MemoryExplanations,
    MemoryListedPapers,
    MemoryMisses,
    MemoryPersonUsage,
    MemoryStorage,
)
from tests.unit.services.conftest import DEFAULT_SCHEDULE, make_paper

CHANNEL = ChannelRef("slack", "T1", "C1", "papers")
OTHER = ChannelRef("discord", "G1", "C9", "reading")
KEEP = timedelta(hours=1)


@dataclass
class Stores:
    """One implementation of every storage port."""

    storage: Storage
    listed: ListedPapers
    misses: MissLog
    explanations: ExplanationCache
    usage: ChannelUsage
    people: PersonUsage
    times: DigestTimetable


@pytest.fixture(params=["memory", "sqlite"])
async def stores(request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Stores]:
    """The memory stand-ins, then the SQL stores on a migrated SQLite database."""
    if request.param == "memory":
        memory = MemoryStorage(clock, DEFAULT_SCHEDULE)
        explanations = MemoryExplanations()
        yield Stores(
            memory,
            MemoryListedPapers(memory),
            MemoryMisses(KEEP),
            explanations,
            explanations,
            MemoryPersonUsage(),
            MemoryDigestTimes(memory),
        )
        return
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'contract.db'}")
    await upgrade_database(engine)
    llm = LlmStore(engine)
    yield Stores(
        Repository(engine, DEFAULT_SCHEDULE, 10, clock),
        ListingStore(engine),
        PaperMisses(engine, keep=KEEP),
        llm,
        llm,
        UserUsageStore(engine),
        DigestTimes(engine),
    )
    await engine.dispose()


async def test_channels_start_with_the_defaults_and_keep_their_changes(
    stores: Stores, clock: FakeClock
) -> None:
    storage = stores.storage
    assert await storage.get_channel(CHANNEL) is None
    created = await storage.ensure_channel(CHANNEL)
    assert (created.schedule, created.max_papers, created.paused) == (DEFAULT_SCHEDULE, 10, False)
    assert (await storage.ensure_channel(ChannelRef("slack", "T1", "C1", "renamed"))).ref.name == "renamed"

    berlin = Schedule(at=time(7, 30), timezone="Europe/Berlin", weekdays=parse_weekdays("weekdays"))
    updated = await storage.update_channel(CHANNEL, schedule=berlin, paused=True, max_papers=3)
    assert (updated.schedule, updated.paused, updated.max_papers) == (berlin, True, 3)

    day = date(2026, 2, 12)
    await storage.mark_digest_done(CHANNEL, clock.now(), day)
    await storage.mark_digest_done(CHANNEL, clock.now(), day - timedelta(days=3))  # never moves back
    await storage.mark_digest_done(OTHER, clock.now(), None)  # made on the way, like a first digest
    state = await storage.get_channel(CHANNEL)
    assert state is not None and (state.covered_through, state.last_digest_at) == (day, clock.now())
    assert [s.ref.channel_id for s in await storage.all_channels()] == ["C1", "C9"]


async def test_a_weekly_cadence_is_kept_and_read_back_apart_from_a_daily_digest_on_that_day(
    stores: Stores,
) -> None:
    storage = stores.storage
    await storage.ensure_channel(CHANNEL)
    await storage.ensure_channel(OTHER)
    weekly = changed_schedule(DEFAULT_SCHEDULE, time(9, 0), "Europe/Berlin", parse_cadence("weekly mon"))
    mondays = changed_schedule(DEFAULT_SCHEDULE, time(9, 0), "Europe/Berlin", parse_cadence("mon"))
    await storage.update_channel(CHANNEL, schedule=weekly)
    await storage.update_channel(OTHER, schedule=mondays)

    read = {s.ref.channel_id: s.schedule for s in await storage.all_channels()}
    assert read["C1"] == weekly and read["C1"].weekly and read["C1"].days_text == "weekly mon"
    assert read["C9"] == mondays and not read["C9"].weekly and read["C9"].days_text == "mon"
    # A change of time alone keeps the week; naming other days ends it.
    kept = await storage.update_channel(CHANNEL, schedule=changed_schedule(weekly, time(7, 0)))
    assert kept.schedule.weekly and kept.schedule.describe() == "07:00 Europe/Berlin, weekly on Monday"
    daily = await storage.update_channel(
        CHANNEL, schedule=changed_schedule(weekly, time(7, 0), cadence=parse_cadence("weekdays"))
    )
    assert not daily.schedule.weekly and daily.schedule.days_text == "weekdays"


async def test_topics_are_numbered_unique_and_capped(stores: Stores) -> None:
    storage = stores.storage
    await storage.ensure_channel(CHANNEL)
    assert await storage.add_topic(CHANNEL, "convergence", "Ada", cap=2) is TopicAdded.ADDED
    assert await storage.add_topic(CHANNEL, "convergence", "Bo", cap=2) is TopicAdded.ALREADY
    assert await storage.add_topic(CHANNEL, "diffusion", "Bo", cap=2) is TopicAdded.ADDED
    assert await storage.add_topic(CHANNEL, "graphs", "Bo", cap=2) is TopicAdded.FULL
    assert await storage.add_topic(OTHER, "convergence", "Cy") is TopicAdded.ADDED

    assert [(e.number, e.topic, e.added_by) for e in await storage.topics(CHANNEL)] == [
        (1, "convergence", "Ada"),
        (2, "diffusion", "Bo"),
    ]
    assert sorted(await storage.distinct_topics()) == ["convergence", "diffusion"]
    assert await storage.remove_topic(CHANNEL, "convergence") is True
    assert await storage.remove_topic(CHANNEL, "convergence") is False
    assert [(e.number, e.topic) for e in await storage.topics(CHANNEL)] == [(1, "diffusion")]


async def test_papers_keep_the_newest_version_and_the_first_announcement_day(
    stores: Stores, clock: FakeClock
) -> None:
    storage, day = stores.storage, date(2026, 2, 12)
    await storage.save_papers([make_paper("2602.00001", 1, announced=day), make_paper("2602.00002", 1)])
    await storage.save_papers([make_paper("2602.00001", 2, announced=day + timedelta(days=1))])
    await storage.save_papers([make_paper("2602.00001", 1)])  # an older version never replaces
    await storage.save_papers([make_paper("2602.00001", 2, title="listing's own", complete=False)])
    await storage.stamp_announced(["2602.00001", "2602.00002"], day + timedelta(days=2))

    found = await storage.papers(["2602.00001", "2602.00002", "2602.09999"])
    assert sorted(found) == ["2602.00001", "2602.00002"]
    assert (found["2602.00001"].version, found["2602.00001"].title) == (2, "Title of 2602.00001 v2")
    assert found["2602.00001"].announced == day
    assert found["2602.00002"].announced == day + timedelta(days=2)
    assert [p.arxiv_id for p in await storage.papers_announced_after(day - timedelta(days=1))] == [
        "2602.00002",
        "2602.00001",
    ]
    assert await storage.latest_announced_day() == day + timedelta(days=2)
    assert (await storage.catalog_stamp())[0] == 2
    assert await storage.paper_fetched_since("2602.00002", clock.now() - timedelta(hours=1)) is not None
    assert await storage.paper_fetched_since("2602.00002", clock.now() + timedelta(hours=1)) is None


async def test_a_paper_is_claimed_by_one_run_only_and_released_only_while_unconfirmed(
    stores: Stores, clock: FakeClock
) -> None:
    storage = stores.storage
    papers = [make_paper("2602.00001"), make_paper("2602.00002"), make_paper("2602.00003")]
    await storage.ensure_channel(CHANNEL)
    start = clock.now()
    clock.advance(60)

    assert await storage.record_intent(CHANNEL, papers[:2], "run-a") == ["2602.00001", "2602.00002"]
    assert await storage.record_intent(CHANNEL, papers, "run-b") == ["2602.00003"]
    await storage.confirm_delivery(CHANNEL, "2602.00001", "msg-1")
    await storage.release_intent(CHANNEL, ["2602.00001", "2602.00002"])

    assert [(c.arxiv_id, c.run_id) for c in await storage.pending_deliveries(CHANNEL)] == [
        ("2602.00003", "run-b")
    ]
    assert await storage.delivered_ids(CHANNEL, [p.arxiv_id for p in papers]) == {"2602.00001", "2602.00003"}
    assert await storage.record_intent(CHANNEL, papers, "run-c") == ["2602.00002"]  # released: due again
    assert await storage.record_intent(OTHER, papers[:1], "run-c") == ["2602.00001"]  # per channel
    assert await storage.posted_count(CHANNEL) == 1
    assert await storage.delivered_since(CHANNEL, start) == 3
    assert await storage.delivered_since(CHANNEL, clock.now()) == 0
    assert await storage.paper_for_message(CHANNEL, "msg-1") == "2602.00001"
    assert await storage.paper_for_message(OTHER, "msg-1") is None
    assert len(await storage.pending_deliveries()) == 3


async def test_listings_listed_ids_and_refusals(stores: Stores, clock: FakeClock) -> None:
    storage, listed, day = stores.storage, stores.listed, date(2026, 2, 12)
    assert await storage.last_listing() is None
    await storage.record_listing("cs.LG", day - timedelta(days=1), 40, skipped=False)
    clock.advance(3600)
    await storage.record_listing("cs.LG+math.OC", day, 0, skipped=True)
    last = await storage.last_listing()
    assert last is not None
    assert (last.categories, last.day, last.skipped, last.earliest_day) == ("cs.LG+math.OC", day, True, day)

    await listed.record_listed({day: ["2602.00001", "2602.00002"], day - timedelta(days=1): ["2602.00002"]})
    await storage.save_papers([make_paper("2602.00001", announced=day, complete=False)])
    assert await listed.unseen(day - timedelta(days=5)) == {"2602.00002": day - timedelta(days=1)}
    assert await listed.is_listed("2602.00001", day) and not await listed.is_listed(
        "2602.00001", day + timedelta(1)
    )
    assert await listed.incomplete(day, 10) == ["2602.00001"]
    await listed.remember_refused({"cs.XX": "no such category"}, clock.now())
    assert await listed.refused(clock.now() - timedelta(minutes=1)) == {"cs.XX": "no such category"}
    assert await listed.refused(clock.now() + timedelta(minutes=1)) == {}


async def test_misses_are_remembered_for_their_keep(stores: Stores, clock: FakeClock) -> None:
    misses = stores.misses
    assert misses.enabled
    await misses.remember(["2602.99999"], clock.now())
    assert await misses.remembered(["2602.99999", "2602.00001"], clock.now()) == {"2602.99999": clock.now()}
    assert await misses.remembered(["2602.99999"], clock.now() + KEEP + timedelta(seconds=1)) == {}


async def test_the_first_explanation_saved_wins_and_use_adds_up(stores: Stores, clock: FakeClock) -> None:
    cache, usage, day = stores.explanations, stores.usage, clock.now().date()
    key = ExplanationKey("2602.00001", 1, "test/model", "p1")
    assert await cache.explanation(key) is None
    await cache.save_explanation(
        key, "first", "title and abstract", prompt_tokens=1, completion_tokens=1, cost=0
    )
    await cache.save_explanation(key, "second", "arXiv HTML", prompt_tokens=1, completion_tokens=1, cost=0)
    stored = await cache.explanation(key)
    assert stored is not None and (stored.text, stored.source) == ("first", "title and abstract")
    assert await cache.explanations([key, ExplanationKey("2602.00002", 1, "test/model", "p1")]) == {
        key: stored
    }

    await usage.record_usage("slack:T1:C1", day, prompt_tokens=400, completion_tokens=300, cost=0.5)
    await usage.record_usage("slack:T1:C1", day, prompt_tokens=100, completion_tokens=100, cost=0.5)
    await usage.record_usage("discord:G1:C9", day, prompt_tokens=10, completion_tokens=0, cost=0.0)
    assert await usage.tokens_used(day, "slack:T1:C1") == 900
    assert await usage.tokens_used(day) == 910
    lines = {line.channel_key: (line.calls, line.tokens) for line in await usage.usage(day)}
    assert lines == {"slack:T1:C1": (2, 900), "discord:G1:C9": (1, 10)}


async def test_a_persons_holds_stop_at_their_limit_and_settle_to_what_was_spent(
    stores: Stores, clock: FakeClock
) -> None:
    people, day = stores.people, clock.now().date()
    assert await people.hold("slack:U1", day, 600, limit=1000) is True
    assert await people.hold("slack:U1", day, 600, limit=1000) is False  # held + this would pass it
    await people.settle("slack:U1", day, 600, prompt_tokens=100, completion_tokens=100, cost=0.1)
    assert await people.hold("slack:U1", day, 600, limit=1000) is True
    await people.release("slack:U1", day, 600)
    (line,) = await people.usage(day, "slack:U1")
    assert (line.calls, line.tokens, line.held_tokens) == (1, 200, 0)


async def test_digest_times_say_who_is_due_and_move_on(stores: Stores, clock: FakeClock) -> None:
    storage, times = stores.storage, stores.times
    for ref in (CHANNEL, OTHER, ChannelRef("slack", "T1", "C2", "quiet")):
        await storage.ensure_channel(ref)
    await storage.update_channel(ChannelRef("slack", "T1", "C2"), paused=True)
    at = clock.now() + timedelta(minutes=5)
    await times.reschedule(CHANNEL, at)
    await times.reschedule(OTHER, at + timedelta(minutes=1))

    assert await times.next_digest_at(CHANNEL) == at
    assert await times.due(at - timedelta(seconds=1), {"slack", "discord"}) == []
    (due,) = await times.due(at, {"slack", "discord"})
    assert (due.ref.channel_id, due.due_at, due.told_late) == ("C1", at, False)
    assert await times.due(at + timedelta(minutes=1), {"slack"}) == [due]  # discord not served here

    await times.told_late([CHANNEL], at)
    assert [d.told_late for d in await times.due(at, {"slack"})] == [True]
    await times.advance([CHANNEL], at)
    upcoming = await times.next_digest_at(CHANNEL)
    assert upcoming is not None and upcoming > at and upcoming.time() == time(9, 0)
    assert await times.due(at + timedelta(minutes=1), {"slack"}) == []
