"""Every Repository query on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from bot.domain.channel import ChannelRef
from bot.domain.schedule import Schedule, parse_weekdays
from bot.infra.storage.database import create_engine
from bot.infra.storage.repository import Repository
from bot.infra.storage.votes import Votes
from bot.ports import TopicAdded
from tests.fakes.clock import FakeClock
from tests.infra.storage.conftest import MakeRepository, make_paper

GENERAL = ChannelRef("slack", "T1", "C1", "general")
RANDOM = ChannelRef("discord", "G1", "42", "random")
DAY = date(2026, 2, 12)


async def test_a_channel_is_created_once_with_defaults_and_keeps_its_latest_name(repo: Repository) -> None:
    assert await repo.get_channel(GENERAL) is None
    first = await repo.ensure_channel(GENERAL)
    assert first.schedule.at == time(9, 0) and first.schedule.timezone == "UTC"
    assert first.max_papers == 10 and not first.paused
    assert first.created_at is not None and first.created_at.tzinfo is not None

    renamed = await repo.ensure_channel(ChannelRef("slack", "T1", "C1", "papers"))
    assert renamed.ref.name == "papers"
    assert [c.ref.key for c in await repo.all_channels()] == [GENERAL.key]


async def test_concurrent_first_messages_create_one_channel(make_repository: MakeRepository) -> None:
    one, two = await make_repository(), await make_repository()
    await asyncio.gather(one.ensure_channel(GENERAL), two.ensure_channel(GENERAL))
    assert len(await one.all_channels()) == 1


async def test_schedule_pause_and_cap_changes_persist(repo: Repository) -> None:
    await repo.ensure_channel(GENERAL)
    berlin = Schedule(at=time(7, 45), timezone="Europe/Berlin", weekdays=parse_weekdays("mon-fri"))
    await repo.update_channel(GENERAL, schedule=berlin, paused=True, max_papers=5)
    state = await repo.get_channel(GENERAL)
    assert state is not None
    assert state.schedule == berlin
    assert state.paused and state.max_papers == 5


async def test_digest_done_keeps_aware_times_and_never_moves_coverage_back(
    repo: Repository, clock: FakeClock
) -> None:
    await repo.ensure_channel(GENERAL)
    tokyo = timezone(timedelta(hours=9))
    at = datetime(2026, 2, 12, 18, 30, tzinfo=tokyo)
    await repo.mark_digest_done(GENERAL, at, DAY)
    await repo.mark_digest_done(GENERAL, at, DAY - timedelta(days=3))
    state = await repo.get_channel(GENERAL)
    assert state is not None
    assert state.last_digest_at == at and state.last_digest_at.tzinfo is not None
    assert state.last_digest_at.utcoffset() == timedelta(0)  # stored and read back as UTC
    assert state.covered_through == DAY


async def test_subscriptions_are_unique_per_channel_and_ordered(repo: Repository) -> None:
    assert await repo.add_topic(GENERAL, "bilevel optimization", "ada") is TopicAdded.ADDED
    assert await repo.add_topic(GENERAL, "cat:math.OC", "ada") is TopicAdded.ADDED
    assert await repo.add_topic(GENERAL, "bilevel optimization", "bob") is TopicAdded.ALREADY
    assert await repo.add_topic(RANDOM, "bilevel optimization", "eve") is TopicAdded.ADDED

    topics = await repo.topics(GENERAL)
    assert [(t.number, t.topic, t.added_by) for t in topics] == [
        (1, "bilevel optimization", "ada"),
        (2, "cat:math.OC", "ada"),
    ]
    assert sorted(await repo.distinct_topics()) == ["bilevel optimization", "cat:math.OC"]

    assert await repo.remove_topic(GENERAL, "cat:math.OC")
    assert not await repo.remove_topic(GENERAL, "cat:math.OC")
    assert [t.topic for t in await repo.topics(GENERAL)] == ["bilevel optimization"]
    assert await repo.topics(ChannelRef("slack", "T1", "C9")) == []


async def test_papers_round_trip_with_json_lists_and_utc_times(repo: Repository) -> None:
    paper = make_paper("2602.10905", announced=DAY, comment="12 pages", doi="10.1/x")
    assert await repo.save_papers([paper]) == 1
    stored = (await repo.papers(["2602.10905", "2602.99999"]))["2602.10905"]
    assert stored == paper
    assert stored.authors == ("Ada Lovelace", "Émilie du Châtelet")
    assert stored.published.tzinfo is not None


async def test_a_newer_version_replaces_an_older_one_but_never_the_reverse(repo: Repository) -> None:
    await repo.save_papers([make_paper("2602.10905", version=2, announced=DAY)])
    await repo.save_papers([make_paper("2602.10905", version=1, title="old")])
    assert (await repo.papers(["2602.10905"]))["2602.10905"].version == 2

    await repo.save_papers([make_paper("2602.10905", version=3, announced=DAY + timedelta(days=5))])
    newest = (await repo.papers(["2602.10905"]))["2602.10905"]
    assert newest.version == 3
    assert newest.announced == DAY  # first announcement day is kept


async def test_saving_many_papers_in_batches(repo: Repository) -> None:
    papers = [make_paper(f"2602.{n:05d}", announced=DAY) for n in range(1200)]
    assert await repo.save_papers(papers) == 1200
    assert len(await repo.papers([p.arxiv_id for p in papers])) == 1200
    count, newest = await repo.catalog_stamp()
    assert count == 1200 and newest is not None


async def test_announcement_days_drive_digest_candidates(repo: Repository, clock: FakeClock) -> None:
    await repo.save_papers(
        [
            make_paper("2602.00001", announced=DAY - timedelta(days=2)),
            make_paper("2602.00002", announced=DAY),
            make_paper("2602.00003"),
        ]
    )
    await repo.stamp_announced(["2602.00003", "2602.00001"], DAY)
    assert await repo.latest_announced_day() == DAY
    after = await repo.papers_announced_after(DAY - timedelta(days=1))
    assert [p.arxiv_id for p in after] == ["2602.00003", "2602.00002"]  # newest day, then id desc
    assert (await repo.papers(["2602.00001"]))["2602.00001"].announced == DAY - timedelta(days=2)

    assert await repo.paper_fetched_since("2602.00002", clock.now() - timedelta(hours=1)) is not None
    assert await repo.paper_fetched_since("2602.00002", clock.now() + timedelta(hours=1)) is None
    assert await repo.paper_fetched_since("2602.77777", clock.now()) is None


async def test_listings_remember_the_latest_fetch(repo: Repository, clock: FakeClock) -> None:
    assert await repo.last_listing() is None
    await repo.record_listing("cs.LG", DAY - timedelta(days=1), 40, skipped=False)
    clock.advance(3600)
    await repo.record_listing("cs.LG+math.OC", DAY, 0, skipped=True)
    last = await repo.last_listing()
    assert last is not None
    assert (last.categories, last.day, last.paper_count, last.skipped) == ("cs.LG+math.OC", DAY, 0, True)


async def test_intent_confirm_and_release(repo: Repository) -> None:
    papers = [make_paper(f"2602.0000{n}", announced=DAY) for n in range(1, 5)]
    await repo.save_papers(papers)
    claimed = await repo.record_intent(GENERAL, list(reversed(papers)), "run-1")
    assert claimed == [p.arxiv_id for p in reversed(papers)]  # in the digest's order
    assert await repo.record_intent(GENERAL, papers, "run-2") == []
    assert await repo.delivered_ids(GENERAL, [p.arxiv_id for p in papers] + ["x"]) == {
        p.arxiv_id for p in papers
    }

    await repo.confirm_delivery(GENERAL, "2602.00001", "ts-1")
    await repo.confirm_delivery(GENERAL, "2602.00002", "ts-2")
    await repo.release_intent(GENERAL, ["2602.00002", "2602.00003", "2602.00004"])
    assert await repo.posted_count(GENERAL) == 2
    # Released papers are due again; posted ones are not.
    assert await repo.record_intent(GENERAL, papers, "run-3") == ["2602.00003", "2602.00004"]
    # Another channel is independent.
    assert len(await repo.record_intent(RANDOM, papers, "run-4")) == 4
    assert await repo.posted_count(ChannelRef("slack", "T9", "C9")) == 0


async def test_two_processes_claiming_at_once_never_share_a_paper(make_repository: MakeRepository) -> None:
    one, two = await make_repository(), await make_repository()
    papers = [make_paper(f"2602.{n:05d}", announced=DAY) for n in range(30)]
    await one.save_papers(papers)
    await one.ensure_channel(GENERAL)
    for attempt in range(3):
        ids = [p.arxiv_id for p in papers[attempt * 10 : attempt * 10 + 10]]
        batch = [p for p in papers if p.arxiv_id in ids]
        first, second = await asyncio.gather(
            one.record_intent(GENERAL, batch, f"a{attempt}"),
            two.record_intent(GENERAL, list(reversed(batch)), f"b{attempt}"),
        )
        assert not set(first) & set(second)
        assert sorted(first + second) == sorted(ids)


async def test_deleting_a_channel_deletes_its_topics_deliveries_and_votes(
    repo: Repository, database_url: str
) -> None:
    await repo.add_topic(GENERAL, "bilevel", "ada")
    await repo.add_topic(RANDOM, "bilevel", "eve")
    paper = make_paper("2602.10905", announced=DAY)
    await repo.save_papers([paper])
    await repo.record_intent(GENERAL, [paper], "run")
    await repo.record_intent(RANDOM, [paper], "run")
    await Votes(repo.engine, FakeClock()).record(GENERAL, paper.arxiv_id, "U1", up=False)

    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text("DELETE FROM channels WHERE channel_id = 'C1'"))
            counts = {
                table: (await connection.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar_one()
                for table in ("subscriptions", "deliveries", "votes", "papers")
            }
    finally:
        await engine.dispose()
    assert counts == {"subscriptions": 1, "deliveries": 1, "votes": 0, "papers": 1}


async def test_naive_times_are_refused(repo: Repository) -> None:
    await repo.ensure_channel(GENERAL)
    with pytest.raises(Exception, match="naive datetime"):
        await repo.mark_digest_done(GENERAL, datetime(2026, 2, 12, 9, 0), None)
    state = await repo.get_channel(GENERAL)
    assert state is not None and state.last_digest_at is None


async def test_the_topic_cap_holds_when_two_processes_subscribe_300_times_at_once(
    make_repository: MakeRepository,
) -> None:
    # Two engines stand for two processes; each fires 150 subscriptions at the same instant.
    first, second = await make_repository(), await make_repository()
    await first.ensure_channel(GENERAL)
    outcomes = await asyncio.gather(
        *(
            (first if n % 2 else second).add_topic(GENERAL, f"topic {n}", "mallory", cap=50)
            for n in range(300)
        )
    )
    assert outcomes.count(TopicAdded.ADDED) == 50
    assert outcomes.count(TopicAdded.FULL) == 250
    assert len(await first.topics(GENERAL)) == 50
    # A full channel still says "already" for a topic it follows, and other channels are untouched.
    assert await second.add_topic(GENERAL, "topic 0", "ada", cap=50) in (TopicAdded.ALREADY, TopicAdded.FULL)
    assert await second.add_topic(RANDOM, "topic 0", "ada", cap=50) is TopicAdded.ADDED


async def test_two_processes_saving_the_same_new_paper_at_once_both_succeed(
    make_repository: MakeRepository,
) -> None:
    # Two people in two processes look up the same brand-new paper at the same instant.
    first, second = await make_repository(), await make_repository()
    papers = [make_paper(f"2611.{n:05d}") for n in range(20)]
    saved = await asyncio.gather(*(repo.save_papers(papers) for repo in (first, second) for _ in range(5)))
    assert saved == [20] * 10
    assert sorted(await first.papers([p.arxiv_id for p in papers])) == [p.arxiv_id for p in papers]
