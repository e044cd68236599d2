"""arXiv's listing as it really behaves, seen from the channels: a refused class, a lagging API.

A class arXiv refuses never blocks another channel's digest; a paper the API does not know yet
reaches the digest from its listing item and is completed later; coverage never passes a paper
the bot could not see; an id in today's listing is never "unknown".
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.console.adapter import CONSOLE_CHANNEL, ConsolePublisher
from bot.domain.channel import ChannelRef
from bot.domain.paper import Paper
from tests.fakes.arxiv_papers import make_paper
from tests.scenario.conftest import ConsoleChat

THURSDAY = date(2026, 2, 12)
FRIDAY = THURSDAY + timedelta(days=1)
FRIDAY_EARLY = datetime(2026, 2, 13, 5, 30, tzinfo=UTC)  # 00:30 US Eastern
ML = ChannelRef("console", "lab", "ml", "ml")


def _paper(arxiv_id: str, title: str, **fields: object) -> Paper:
    fields.setdefault("abstract", f"{title}: we prove that it converges.")
    return make_paper(arxiv_id, title=title, **fields)  # type: ignore[arg-type]


def _on_arxivs_clock(chat: ConsoleChat) -> None:
    """Only this test's papers, on listings that turn at midnight Eastern on the chat's clock."""
    chat.fake.set_papers([])
    chat.fake.clock = chat.clock


async def _digest_of(chat: ConsoleChat, ref: ChannelRef) -> str:
    assert chat.services is not None
    out = io.StringIO()
    chat.services.engine.register_publisher(ConsolePublisher(out))
    await chat.services.engine.delivery.run([ref])
    return out.getvalue()


async def test_a_class_arxiv_refuses_never_blocks_other_channels_and_is_remembered(
    chat: ConsoleChat, caplog: pytest.LogCaptureFixture
) -> None:
    assert chat.services is not None
    # A channel followed cs.GL while arXiv had it; arXiv has since dropped it (400 "Bad subject class").
    chat.fake.retired.add("cs.GL")
    await chat.services.repository.ensure_channel(ML)
    await chat.services.repository.add_topic(ML, "cat:cs.GL OR convergence", "ada")
    await chat.say("subscribe cat:cs.LG")

    with caplog.at_level(logging.WARNING):
        ours = await chat.say("digest")
    theirs = await _digest_of(chat, ML)

    assert "1) " in ours and "arXiv no longer accepts" not in ours
    assert "1) " in theirs  # `convergence` still finds papers in the listing that was read
    assert "arXiv no longer accepts the category `cs.GL` (renamed or retired?)" in theirs
    assert "arXiv refuses the category cs.GL (HTTP 400: Bad subject class 'GL'" in caplog.text
    assert [r.path for r in chat.fake.requests_to("/rss")] == ["/rss/cs.GL+cs.LG", "/rss/cs.LG"]

    # The next arXiv day, the refused class is left out from the start: one request again.
    chat.fake.listing_day = FRIDAY
    chat.clock.set_now(FRIDAY_EARLY)
    await chat.say("preview")
    assert [r.path for r in chat.fake.requests_to("/rss")][2:] == ["/rss/cs.LG"]


async def test_a_stored_class_arxiv_never_had_is_never_asked_for_and_its_channel_is_told(
    chat: ConsoleChat,
) -> None:
    assert chat.services is not None
    # A topic an older Paperboy stored before `cat:` was checked: arXiv has no class cs.ML.
    await chat.services.repository.ensure_channel(ML)
    await chat.services.repository.add_topic(ML, "cat:cs.ML OR convergence", "an older Paperboy")
    await chat.say("subscribe cat:cs.LG")

    ours = await chat.say("digest")
    theirs = await _digest_of(chat, ML)

    assert "1) " in ours and "arXiv has no category" not in ours
    assert "1) " in theirs
    assert "arXiv has no category `cs.ML`, so it brings no papers" in theirs
    assert [r.path for r in chat.fake.requests_to("/rss")] == ["/rss/cs.LG"]


async def test_a_paper_the_api_lacks_reaches_the_digest_and_is_completed_later(chat: ConsoleChat) -> None:
    assert chat.services is not None
    _on_arxivs_clock(chat)
    late = _paper("2602.20001", "Late convergence of lagging APIs", authors=("Ada Late", "Bo Li"))
    chat.fake.add_paper(late, day=THURSDAY)
    chat.fake.api_lacks.add(late.arxiv_id)
    chat.fake.affiliations[late.arxiv_id] = {"Bo Li": "Lovelace Institute"}
    await chat.say("subscribe au:Late")
    await chat.say("subscribe au:Lovelace")

    shown = await chat.say("digest")

    assert "Late convergence of lagging APIs" in shown
    assert "Matched: au:Late\n" in shown  # not au:Lovelace: an affiliation is not an author
    [stored] = (await chat.services.repository.papers([late.arxiv_id])).values()
    assert not stored.complete and stored.authors == ("Ada Late", "Bo Li")
    assert sum(chat.clock.sleeps) < 60  # no waiting for hours on the API

    # The next day arXiv's API has it: the ingest completes it.
    chat.fake.api_lacks.clear()
    chat.clock.set_now(FRIDAY_EARLY)
    await chat.say("preview")
    [stored] = (await chat.services.repository.papers([late.arxiv_id])).values()
    assert stored.complete and stored.published == late.published
    assert stored.announced == THURSDAY


async def test_coverage_never_passes_a_paper_the_bot_could_not_see(chat: ConsoleChat) -> None:
    assert chat.services is not None
    _on_arxivs_clock(chat)
    seen = _paper("2602.20002", "Convergence we could read")
    unseen = _paper("2602.20003", "Convergence nobody could read", abstract="")  # an item without text
    for paper in (seen, unseen):
        chat.fake.add_paper(paper, day=THURSDAY)
    chat.fake.api_lacks.add(unseen.arxiv_id)
    await chat.say("subscribe convergence")

    first = await chat.say("digest")
    assert "Convergence we could read" in first and "nobody could read" not in first
    state = await chat.services.repository.get_channel(CONSOLE_CHANNEL)
    assert state is not None and state.covered_through == THURSDAY - timedelta(days=1)
    assert await chat.services.catalog.in_current_listing(unseen.arxiv_id)
    explained = await chat.say(f"explain {unseen.arxiv_id}")
    assert "is in today's arXiv listing, but arXiv has not published its details yet" in explained

    # Friday the API knows it: it is fetched, and the next digest brings it (and only it).
    chat.fake.api_lacks.clear()
    chat.clock.set_now(FRIDAY_EARLY)
    second = await chat.say("digest")
    assert "Convergence nobody could read" in second and "Convergence we could read" not in second
    state = await chat.services.repository.get_channel(CONSOLE_CHANNEL)
    assert state is not None and state.covered_through == THURSDAY


async def test_an_id_in_todays_listing_is_explained_from_the_listing_while_the_api_lacks_it(
    chat: ConsoleChat,
) -> None:
    assert chat.services is not None
    _on_arxivs_clock(chat)
    fresh = _paper("2602.20004", "A paper announced this morning")
    chat.fake.add_paper(fresh, day=THURSDAY)
    chat.fake.api_lacks.add(fresh.arxiv_id)
    await chat.say("subscribe cat:cs.LG")
    await chat.say("preview")

    explained = await chat.say(f"explain {fresh.arxiv_id}")

    assert "A paper announced this morning" in explained and "arXiv has no paper" not in explained
    assert await chat.services.catalog.in_current_listing(fresh.arxiv_id)
    assert not await chat.services.catalog.in_current_listing("2602.99999")


async def test_a_listing_arxiv_cuts_is_read_in_parts_and_every_new_paper_reaches_its_channel(
    chat: ConsoleChat,
) -> None:
    assert chat.services is not None
    _on_arxivs_clock(chat)
    chat.fake.max_items = chat.source.listing_cap = 4  # arXiv's 2,000, scaled down
    for n in range(3):  # replacements come first in arXiv's cut
        revised = _paper(f"2602.2010{n}", f"Revised learning {n}", version=2)
        chat.fake.add_paper(revised, "replace", day=THURSDAY)
    for n in range(2):  # the lower id is the one cut from the union
        convex = _paper(f"2602.2020{n}", f"Convex optimisation {n}", categories=("math.OC",))
        chat.fake.add_paper(convex, day=THURSDAY)
    await chat.say("subscribe cat:math.OC")

    shown = await chat.say("digest")

    assert "Convex optimisation 0" in shown and "Convex optimisation 1" in shown
    paths = [r.path for r in chat.fake.requests_to("/rss")]
    assert paths[0] == "/rss/cs.LG+math.OC" and sorted(paths[1:]) == ["/rss/cs.LG", "/rss/math.OC"]
