"""An id arXiv has no paper for is not asked about again for a while: the answer comes at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.domain.listing import Listing
from bot.domain.paper import Paper
from bot.services.catalog import PaperCatalog
from tests.fakes.clock import FakeClock
from tests.support.memory_stores import MemoryListedPapers, MemoryMisses, MemoryStorage
from tests.unit.services.conftest import make_paper

KEEP = timedelta(hours=1)


class CountingSource:
    """A paper source that knows a few papers and counts the ids it is asked about."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self.known = {p.arxiv_id: p for p in papers}
        self.asked: list[str] = []

    async def fetch_papers(self, ids: Sequence[str]) -> list[Paper]:
        """The known papers among these ids."""
        self.asked.extend(ids)
        return [self.known[i] for i in ids if i in self.known]

    async def search(self, query: str, max_results: int = 20) -> list[Paper]:
        """No search in these tests."""
        raise AssertionError("not searched here")

    async def fetch_listing(self, categories: Sequence[str]) -> Listing:
        """No listing in these tests."""
        raise AssertionError("no listing here")

    async def fetch_listed_papers(self, ids: Sequence[str], day: date | None) -> list[Paper]:
        """No listing in these tests."""
        raise AssertionError("no listing here")


def catalog(
    storage: MemoryStorage, source: CountingSource, clock: FakeClock, keep: timedelta = KEEP
) -> PaperCatalog:
    return PaperCatalog(
        storage, source, clock, listings=MemoryListedPapers(storage), misses=MemoryMisses(keep)
    )


async def test_an_unknown_id_is_asked_once_then_answered_from_memory_until_the_miss_expires(
    storage: MemoryStorage, clock: FakeClock
) -> None:
    source = CountingSource([])
    papers = catalog(storage, source, clock)

    assert await papers.paper("2602.99999") is None
    assert await papers.paper("2602.99999") is None
    assert source.asked == ["2602.99999"]
    assert await papers.remembered_miss("2602.99999") == clock.now() + KEEP

    clock.advance(KEEP.total_seconds() + 1)
    assert await papers.paper("2602.99999") is None
    assert source.asked == ["2602.99999", "2602.99999"]


async def test_a_known_paper_is_stored_and_not_fetched_again(
    storage: MemoryStorage, clock: FakeClock
) -> None:
    source = CountingSource([make_paper("2602.00001")])
    papers = catalog(storage, source, clock)

    first = await papers.paper("2602.00001")
    second = await papers.paper("2602.00001")

    assert first is not None and second is not None and second.title == "Title of 2602.00001 v1"
    assert source.asked == ["2602.00001"]
    assert await papers.remembered_miss("2602.00001") is None


async def test_with_no_memory_every_lookup_asks_arxiv(storage: MemoryStorage, clock: FakeClock) -> None:
    source = CountingSource([])
    papers = catalog(storage, source, clock, keep=timedelta(0))

    for _ in range(3):
        assert await papers.paper("2602.99999") is None

    assert source.asked == ["2602.99999"] * 3
    assert await papers.remembered_miss("2602.99999") is None


async def test_an_id_the_current_listing_names_is_never_treated_as_unknown(
    storage: MemoryStorage, clock: FakeClock
) -> None:
    """arXiv's API lags its feed: a listed paper it does not know yet is asked about every time."""
    source = CountingSource([])
    listed = MemoryListedPapers(storage)
    papers = PaperCatalog(storage, source, clock, listings=listed, misses=MemoryMisses(KEEP))
    today = clock.now().date()
    await listed.record_listed({today: ["2602.55555"]})
    await storage.record_listing("cs.LG", today, 1, skipped=False)

    assert await papers.paper("2602.55555") is None
    assert await papers.paper("2602.55555") is None

    assert source.asked == ["2602.55555", "2602.55555"]
    assert await papers.remembered_miss("2602.55555") is None
