"""What the listings named, what arXiv refused, and papers only the feed described: SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from bot.infra.storage.listing_store import ListingStore
from bot.infra.storage.repository import Repository
from tests.fakes.clock import FakeClock
from tests.infra.storage.conftest import MakeRepository, make_paper

DAY = date(2026, 2, 12)


async def test_a_paper_from_the_feed_never_overwrites_the_apis_and_is_replaced_by_it(
    repo: Repository,
) -> None:
    complete = make_paper("2602.00001", title="As the API has it", comment="12 pages")
    await repo.save_papers([complete])
    await repo.save_papers([make_paper("2602.00001", title="As the feed has it", complete=False)])
    kept = (await repo.papers(["2602.00001"]))["2602.00001"]
    assert (kept.title, kept.comment, kept.complete) == ("As the API has it", "12 pages", True)

    await repo.save_papers([make_paper("2602.00002", title="From the feed", complete=False, announced=DAY)])
    assert not (await repo.papers(["2602.00002"]))["2602.00002"].complete
    await repo.save_papers([make_paper("2602.00002", title="From the API", comment="v1")])
    completed = (await repo.papers(["2602.00002"]))["2602.00002"]
    assert (completed.title, completed.complete, completed.announced) == ("From the API", True, DAY)
    # A newer version the feed announces replaces an older complete one.
    await repo.save_papers([make_paper("2602.00001", version=2, title="v2 from the feed", complete=False)])
    assert (await repo.papers(["2602.00001"]))["2602.00001"].title == "v2 from the feed"


async def test_listed_ids_tell_what_the_bot_could_not_see_and_what_is_listed(repo: Repository) -> None:
    store = ListingStore(repo.engine)
    await repo.save_papers([make_paper("2602.00001", announced=DAY - timedelta(days=1))])
    await store.record_listed({DAY - timedelta(days=1): ["2602.00001", "2602.00002"]})
    await store.record_listed({DAY: ["2602.00002", "2602.00003"]})
    await store.record_listed({DAY: ["2602.00003"]})  # read again: no duplicate

    assert await store.unseen(DAY - timedelta(days=3)) == {
        "2602.00002": DAY - timedelta(days=1),
        "2602.00003": DAY,
    }
    assert await store.unseen(DAY) == {"2602.00002": DAY, "2602.00003": DAY}
    assert await store.is_listed("2602.00001", DAY - timedelta(days=1))
    assert not await store.is_listed("2602.00001", DAY)
    assert not await store.is_listed("2602.99999", DAY - timedelta(days=9))

    # Days older than a month are forgotten when a new day is recorded.
    await store.record_listed({DAY + timedelta(days=40): ["2602.00009"]})
    assert await store.unseen(DAY - timedelta(days=3)) == {"2602.00009": DAY + timedelta(days=40)}


async def test_papers_only_the_feed_described_are_found_for_completion(repo: Repository) -> None:
    store = ListingStore(repo.engine)
    await repo.save_papers(
        [
            make_paper("2602.00001", announced=DAY, complete=False),
            make_paper("2602.00002", announced=DAY - timedelta(days=9), complete=False),
            make_paper("2602.00003", announced=DAY),
        ]
    )
    assert await store.incomplete(DAY - timedelta(days=4), limit=10) == ["2602.00001"]
    assert await store.incomplete(DAY - timedelta(days=10), limit=1) == ["2602.00001"]


async def test_refused_categories_are_remembered_for_a_while_by_every_process(
    make_repository: MakeRepository, clock: FakeClock
) -> None:
    one, two = ListingStore((await make_repository()).engine), ListingStore((await make_repository()).engine)
    at = clock.now()
    await asyncio.gather(
        one.remember_refused({"cs.ML": "Bad subject class 'ML'."}, at),
        two.remember_refused({"cs.ML": "Bad subject class 'ML'.", "math.XY": "Bad subject class 'XY'."}, at),
    )
    await one.remember_refused({"cs.ML": "Bad subject class 'ML' (again)."}, at + timedelta(days=3))
    assert await two.refused(at) == {
        "cs.ML": "Bad subject class 'ML' (again).",
        "math.XY": "Bad subject class 'XY'.",
    }
    assert await two.refused(at + timedelta(days=1)) == {"cs.ML": "Bad subject class 'ML' (again)."}
