"""Service tests on the in-memory stores: no database, no network, a fake clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.domain.paper import Paper
from bot.domain.schedule import Schedule, parse_weekdays
from tests.fakes.clock import FakeClock
from tests.support.memory_stores import MemoryStorage

DEFAULT_SCHEDULE = Schedule(at=time(9, 0), timezone="UTC", weekdays=parse_weekdays("daily"))


def make_paper(arxiv_id: str, version: int = 1, announced: date | None = None, **changes: object) -> Paper:
    """A paper with plausible metadata."""
    fields: dict[str, object] = {
        "arxiv_id": arxiv_id,
        "version": version,
        "title": f"Title of {arxiv_id} v{version}",
        "authors": ("Ada Lovelace",),
        "abstract": "We study convergence of gradient descent.",
        "categories": ("cs.LG",),
        "primary_category": "cs.LG",
        "published": datetime(2026, 2, 10, 18, 0, tzinfo=UTC),
        "updated": datetime(2026, 2, 11, 9, 30, tzinfo=UTC),
        "announced": announced,
    }
    fields.update(changes)
    return Paper(**fields)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FakeClock:
    """The made-up time every store and service of a test reads."""
    return FakeClock()


@pytest.fixture
def storage(clock: FakeClock) -> MemoryStorage:
    """Channels, topics, papers and deliveries in memory."""
    return MemoryStorage(clock, DEFAULT_SCHEDULE)
