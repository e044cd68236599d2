"""Fixtures for the infrastructure tests: a fake arXiv and a clock that never really sleeps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.infra.arxiv import ArxivSource, RequestGate
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock


@pytest.fixture
def make_source(fake_arxiv: FakeArxiv, clock: FakeClock) -> Iterator[Callable[..., ArxivSource]]:
    """Build `ArxivSource`s against the fake, with production spacing on the fake clock."""
    made: list[ArxivSource] = []

    def make(**overrides: Any) -> ArxivSource:
        options: dict[str, Any] = {
            "gate": RequestGate(3.0, clock),
            "timeout": 5.0,
            "retries": 4,
            **overrides,
        }
        source = ArxivSource(fake_arxiv.api_url, fake_arxiv.rss_url, **options)
        made.append(source)
        return source

    yield make
    for source in made:
        source.close()


@pytest.fixture
def source(make_source: Callable[..., ArxivSource]) -> ArxivSource:
    """The usual source: 3 s spacing, 5 tries, 5 s timeout."""
    return make_source()
