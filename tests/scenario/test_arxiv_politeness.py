"""Paperboy reads arXiv once for everyone: requests don't grow with channels, papers aren't refetched."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from adapters.console.adapter import CONSOLE_USER, ConsolePublisher
from bot.domain.channel import ChannelRef
from bot.domain.commands import Subscribe
from tests.scenario.conftest import ConsoleChat


def arxiv_calls(chat: ConsoleChat) -> tuple[int, int]:
    """(RSS listing requests, API requests) the fake arXiv has seen."""
    return len(chat.fake.requests_to("/rss")), len(chat.fake.requests_to("/api"))


async def test_preview_and_digest_share_one_listing_fetch(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    await chat.say("preview")
    await chat.say("digest")
    await chat.say("preview")
    assert arxiv_calls(chat) == (1, 1)


async def test_the_listing_is_read_again_once_arxivs_day_turns_and_no_stored_paper_is_refetched(
    chat: ConsoleChat,
) -> None:
    await chat.say("subscribe convergence")
    await chat.say("preview")  # Thu 12 Feb, 07:00 US Eastern
    chat.clock.advance(timedelta(hours=3).total_seconds())
    await chat.say("preview")
    assert arxiv_calls(chat) == (1, 1)  # the same arXiv day: its listing has not changed

    chat.fake.listing_day += timedelta(days=1)
    chat.clock.set_now(datetime(2026, 2, 13, 5, 30, tzinfo=UTC))  # Fri 00:30 US Eastern
    await chat.say("preview")
    rss, api = arxiv_calls(chat)
    assert rss == 2  # arXiv's day turned at midnight Eastern: its listing is read again...
    assert api == 1  # ...but its papers are already in the database


async def test_digests_for_many_channels_make_the_same_requests_as_for_one(chat: ConsoleChat) -> None:
    assert chat.services is not None
    engine = chat.services.engine
    publisher = ConsolePublisher(chat.out)
    channels = [ChannelRef("console", "lab", f"C{n}", f"team-{n}") for n in range(25)]
    topics = ["convergence", "diffusion", "cat:math.OC", 'au:"Deyi Kong"', "federated learning"]
    for n, channel in enumerate(channels):
        await engine.handle(channel, CONSOLE_USER, Subscribe(topics[n % len(topics)]))
    engine.register_publisher(publisher)
    for channel in channels:
        await engine.delivery.run([channel])
    assert arxiv_calls(chat) == (1, 1)
    for channel in channels:
        assert await chat.services.repository.posted_count(channel) > 0


async def test_arxiv_requests_are_three_seconds_apart(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    await chat.say("explain 2602.11145")
    await chat.say("preview")
    await chat.say("explain hep-th/9901001")
    gate_times = chat.source.gate.request_times
    assert len(gate_times) == 4
    gaps = [later - earlier for earlier, later in itertools.pairwise(gate_times)]
    assert min(gaps) >= 3.0
