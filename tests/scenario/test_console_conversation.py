"""A channel's life through the console: subscribe, preview, digest, digest again, unsubscribe."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.fakes.llm_server import FakeLlm
from tests.fixtures.seed_papers import digest_seed_disclaimer, digest_seed_fallback_line
from tests.scenario.conftest import ConsoleChat, MakeChat
from tests.support.processes import free_port

NHGD = "Natural Hypergradient Descent: Algorithm Design, Convergence Analysis, and Parallel Implementation"


def titles(output: str) -> list[str]:
    """The numbered item titles of a digest as the channel shows them."""
    return re.findall(r"^\d+\) (.+)$", output, flags=re.M)


async def test_a_channel_subscribes_previews_receives_and_never_gets_a_paper_twice(
    chat: ConsoleChat,
) -> None:
    reply = await chat.say("subscribe convergence")
    assert "Subscribed to `convergence`" in reply

    assert "1. convergence" in await chat.say("/topics")

    preview = await chat.say("preview")
    previewed = titles(preview)
    assert len(previewed) == 10  # the default cap; many more papers speak of convergence
    assert "more matched" in preview
    # Relevance first: with this many candidates, all ten say "converg..." in their title.
    assert all(re.search(r"converg", title, re.I) for title in previewed)

    await chat.restart()
    digest = await chat.say("digest")
    # Preview recorded nothing: the digest holds what the preview showed.
    assert titles(digest) == previewed

    await chat.restart()
    again = await chat.say("digest")
    assert titles(again) == []
    assert "Nothing new" in again

    assert "Unsubscribed from `convergence`" in await chat.say("unsubscribe 1")
    assert "follows no topics" in await chat.say("topics")


async def test_digest_items_follow_the_predecessor_bots_layout(chat: ConsoleChat) -> None:
    await chat.say('subscribe au:"Deyi Kong"')
    digest = await chat.say("digest")

    assert digest_seed_disclaimer() in digest
    assert f"1) {NHGD}" in digest
    assert "  • Authors: Deyi Kong, Zaiwei Chen, Shuzhong Zhang, Shancong Mou" in digest
    assert "  • arXiv: 2602.10905 · pdf: https://arxiv.org/pdf/2602.10905v1" in digest
    assert "  • Categories: cs.LG, math.OC, stat.ML" in digest
    assert "\nAbstract\n\nIn this work, we propose Natural Hypergradient Descent (NHGD)" in digest
    # Without an LLM, the seed's own fallback line, word for word.
    assert f"Math explanation (LLM)\n\n{digest_seed_fallback_line()}" in digest


async def test_each_item_says_why_it_matched(chat: ConsoleChat) -> None:
    await chat.say("subscribe cat:math.OC AND bilevel")
    digest = await chat.say("preview")
    assert "Bilevel programs with nonconvex lower levels" in titles(digest)
    assert re.search(r"Matched: cat:math\.OC bilevel \(.*cat:math\.OC.*\)", digest), digest


async def test_a_paper_matching_two_topics_comes_once_and_ranks_first(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    await chat.say("subscribe hypergradient")
    digest = await chat.say("preview")
    shown = titles(digest)
    assert shown.count(NHGD) == 1
    assert shown[0] == NHGD


async def test_explain_shows_metadata_abstract_and_the_fallback_note(chat: ConsoleChat) -> None:
    reply = await chat.say("explain https://arxiv.org/abs/2602.10905v1")
    assert NHGD in reply
    assert "Deyi Kong" in reply
    assert digest_seed_fallback_line() in reply
    # The second look-up of the same paper is served from the database.
    before = len(chat.fake.requests)
    await chat.say("explain arXiv:2602.10905")
    assert len(chat.fake.requests) == before


async def test_a_preview_shows_explanations_already_written_and_says_it_writes_none(
    make_chat: MakeChat, fake_llm: FakeLlm
) -> None:
    chat = await make_chat()
    await chat.say("subscribe hypergradient")
    await chat.say("subscribe bilevel")
    assert "**Key idea.**" in await chat.say("explain 2602.10905")
    calls = fake_llm.calls

    preview = await chat.say("preview")
    assert fake_llm.calls == calls  # a preview never calls the LLM
    assert "No LLM key configured" not in preview  # one is configured: that would be untrue
    items = preview.split("\n\n1) ")[1].split("\n\n2) ")
    assert items[0].startswith(NHGD) and "**Key idea.**" in items[0]  # written by `explain` before
    assert "(Previews write no explanations: the digest asks the LLM for this one" in items[1]


async def test_an_llm_server_that_cannot_be_reached_is_named_not_called_http_500(make_chat: MakeChat) -> None:
    port = free_port()  # nothing listens there
    chat = await make_chat(llm_api_base=f"http://127.0.0.1:{port}/v1", llm_max_retries=0)
    reply = await chat.say("explain 2602.10905")
    assert f"the LLM server at 127.0.0.1:{port} could not be reached: connection refused" in reply
    assert "HTTP 500" not in reply
    assert NHGD in reply  # the abstract still comes


async def test_without_an_llm_a_preview_says_none_is_configured(chat: ConsoleChat) -> None:
    await chat.say("subscribe hypergradient")
    assert digest_seed_fallback_line() in await chat.say("preview")


async def test_schedule_pause_resume_and_settings(chat: ConsoleChat) -> None:
    reply = await chat.say("schedule 07:30 europe/berlin mon,wed,fri")
    assert "07:30 Europe/Berlin, mon,wed,fri" in reply
    assert "Next one:" in reply
    assert "paused" in (await chat.say("pause")).lower()
    settings = await chat.say("settings")
    assert "07:30 Europe/Berlin, mon,wed,fri (paused)" in settings
    assert "Next digest:  none (paused)" in settings
    assert "Resumed" in await chat.say("resume")

    await chat.restart()
    assert "07:30 Europe/Berlin, mon,wed,fri" in await chat.say("settings")


async def test_the_number_of_papers_per_digest_can_be_raised(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    assert "(105 more matched; after the digest, `more` posts the next 10)" in await chat.say("preview")
    assert "up to 15 papers" in await chat.say("settings max 15")
    assert len(titles(await chat.say("preview"))) == 15
    assert "Max papers:   15" in await chat.say("settings")
    assert "from 1 to 50" in await chat.say("settings max 500")
    assert "from 1 to 50" in await chat.say("settings max many")


async def test_a_weekend_digest_says_why_it_is_empty(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    await chat.say("settings max 50")
    await chat.say("digest")
    await chat.say("digest")  # everything announced this week has been delivered
    chat.fake.weekend = True
    chat.clock.set_now(datetime(2026, 2, 14, 9, 0, tzinfo=UTC))  # a Saturday
    weekend = await chat.say("digest")
    assert titles(weekend) == []
    assert "arXiv announces no new papers on Saturdays and Sundays" in weekend


async def test_a_weekday_without_matches_says_so_plainly(chat: ConsoleChat) -> None:
    await chat.say('subscribe "quantum chromodynamics"')
    first = await chat.say("digest")
    assert titles(first) == []
    # A first digest: there was no "last digest" to speak of.
    assert "Nothing announced since Tue 10 Feb matched this channel's topics." in first
    assert "last digest" not in first

    chat.clock.set_now(datetime(2026, 2, 12, 22, 0, tzinfo=UTC))  # later the same arXiv day
    second = await chat.say("digest")
    assert "arXiv has announced no papers since the last digest." in second


# `more`: the papers beyond the digest's cap, never one twice


async def test_more_posts_the_next_papers_until_none_are_left_and_never_one_twice(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    digest = await chat.say("digest")
    assert "10 papers (105 more matched; `more` posts the next 10)" in digest
    seen = titles(digest)

    more = await chat.say("more")
    assert "10 papers (95 more matched; `more` posts the next 10)" in more
    assert not set(titles(more)) & set(seen)
    seen += titles(more)

    await chat.restart()
    assert "up to 50 papers" in await chat.say("settings max 50")
    bigger = await chat.say("/more")
    assert "50 papers (45 more matched; `more` posts the next 45)" in bigger
    last = await chat.say("more")
    assert len(titles(last)) == 45
    assert "more matched" not in last  # the header promises nothing more
    seen += titles(bigger) + titles(last)
    assert len(seen) == len(set(seen)) == 115

    done = await chat.say("more")
    assert titles(done) == []
    assert "No more papers: every paper announced since Tue 10 Feb that matches this channel's topics" in done
    # The digest has nothing new either, and says why.
    assert "arXiv has announced no papers since the last digest." in await chat.say("digest")


async def test_more_before_the_first_digest_leaves_the_rest_for_the_digest(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    previewed = titles(await chat.say("preview"))
    early = titles(await chat.say("more"))
    assert early == previewed  # the best ten, posted now
    later = titles(await chat.say("digest"))
    assert len(later) == 10 and not set(later) & set(early)


# A first digest, whatever the weekday


@pytest.mark.parametrize("weekday", range(7), ids=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
async def test_a_first_digest_holds_the_latest_announcement_days_papers_whatever_the_weekday(
    chat: ConsoleChat, weekday: int
) -> None:
    await chat.say('subscribe au:"Deyi Kong"')
    assert titles(await chat.say("preview")) == [NHGD]  # Paperboy has read Thursday's listing
    # ... and arXiv announces nothing newer (a holiday can stop announcements for days): the first
    # digest, any day of the following week, still shows Thursday's papers.
    chat.clock.set_now(datetime(2026, 2, 16 + weekday, 9, 0, tzinfo=UTC))
    chat.fake.weekend = weekday >= 5
    assert titles(await chat.say("digest")) == [NHGD]


# Clear answers to input that is not quite right


async def test_numbers_that_are_not_ascii_digits_get_a_plain_answer(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    assert "`²` is not a number of papers from 1 to 50; for example `settings max 15`." in await chat.say(
        "settings max ²"
    )
    unsubscribed = await chat.say("unsubscribe ²")
    assert "This channel doesn't follow `²`. It follows: 1. `convergence`" in unsubscribed
    for reply in (unsubscribed,):
        assert "incident" not in reply


async def test_a_time_zone_region_asks_for_one_of_its_zones(chat: ConsoleChat, caplog) -> None:  # type: ignore[no-untyped-def]
    reply = await chat.say("schedule 09:00 America/Argentina")
    assert "`America/Argentina` is a region with" in reply
    assert "e.g. `America/Argentina/Buenos_Aires`" in reply
    assert "incident" not in reply
    assert "zoneinfo" not in caplog.text  # no filesystem path in the log either
    assert "Europe/Berlin" in await chat.say("schedule 09:00 Europe/Berlin")
