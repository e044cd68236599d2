"""A broken or hostile server in arXiv's place: its API pages and listings are bounded too.

Full texts have their own cap and deadline (test_arxiv_downloads.py); the listing and the API's
pages go through the same transport, which reads at most `max_bytes` of an answer and gives up
on one still arriving at its deadline, so the request gate is never held for ever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bot.infra.arxiv import ArxivSource, RequestGate, SystemClock
from bot.infra.arxiv.retries import ArxivUnavailable
from bot.infra.arxiv.transport import GatedAdapter
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.hostile_bodies import huge_body, trickle

MB = 1_000_000


@pytest.fixture
def source(fake_arxiv: FakeArxiv) -> Iterator[ArxivSource]:
    """The real source, its answers capped at 2 MB and 2 s (the product's are 64 MB and 180 s)."""
    made = ArxivSource(
        fake_arxiv.api_url, fake_arxiv.rss_url, gate=RequestGate(0.0, SystemClock()), timeout=10.0, retries=0
    )
    for adapter in made._session.adapters.values():
        assert isinstance(adapter, GatedAdapter)
        adapter.max_bytes, adapter.deadline = 2 * MB, 2.0
    yield made
    made.close()


async def test_a_listing_of_hundreds_of_megabytes_is_read_only_to_the_cap(
    source: ArxivSource, fake_arxiv: FakeArxiv
) -> None:
    endless = huge_body(300 * MB, "application/rss+xml")
    fake_arxiv.serve_next(endless, "/rss")
    with pytest.raises(ArxivUnavailable, match="answer too large"):
        await source.fetch_listing(["cs.LG"])
    assert endless.bytes_sent < 20 * MB  # the client stopped reading; the server gave up
    # The gate is free and the next answer is read as usual.
    assert (await source.fetch_papers(["2602.10905"]))[0].arxiv_id == "2602.10905"


async def test_an_api_page_trickling_for_ever_is_cut_at_the_deadline(
    source: ArxivSource, fake_arxiv: FakeArxiv
) -> None:
    slow = trickle(
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">',
        "application/atom+xml",
        every=0.2,
        piece=b" ",
    )
    fake_arxiv.serve_next(slow, "/api/query")
    with pytest.raises(ArxivUnavailable):
        await source.fetch_papers(["2602.10905"])
    assert await asyncio.to_thread(slow.client_gone.wait, 5.0)
    assert slow.chunks_sent < 60  # about two seconds' worth, not the for ever it offered
    assert (await source.fetch_papers(["2602.10905"]))[0].arxiv_id == "2602.10905"


def test_the_product_bounds_every_arxiv_answer(fake_arxiv: FakeArxiv) -> None:
    made = ArxivSource(
        fake_arxiv.api_url, fake_arxiv.rss_url, gate=RequestGate(0.0, SystemClock()), timeout=10.0, retries=0
    )
    adapters = list(made._session.adapters.values())
    made.close()
    assert adapters and all(isinstance(a, GatedAdapter) for a in adapters)
    assert all(a.max_bytes <= 64 * MB and a.deadline <= 180 for a in adapters)  # type: ignore[attr-defined]
