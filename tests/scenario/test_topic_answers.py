"""What a channel is told about the topics it types: real arXiv classes only, no pings, repeats
counted once, the words that matched, and nothing stored that can't be read back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from adapters.console.adapter import CONSOLE_CHANNEL
from tests.fakes.arxiv_papers import make_paper
from tests.fixtures.seed_papers import SEED_DAY
from tests.scenario.conftest import ConsoleChat


async def test_an_unknown_category_gets_the_nearest_real_ones_and_arxiv_is_not_asked(
    chat: ConsoleChat,
) -> None:
    before = len(chat.fake.requests)
    reply = await chat.say("subscribe cat:cs.ML AND diffusion")
    assert "`cs.ML` is not an arXiv category; did you mean cs.LG (Machine Learning) or" in reply
    assert "stat.ML (Machine Learning)? e.g. `cat:cs.LG`" in reply
    reply = await chat.say("subscribe cat:math.XY")
    assert "`math.XY` is not an arXiv category" in reply
    assert "`cat:math` for all of Mathematics" in reply
    assert "follows no topics" in await chat.say("topics")
    assert len(chat.fake.requests) == before
    # Real classes, whole archives and single-class archives are followed as before.
    for topic in ("cat:stat.ml", "cat:math.*", "cat:hep-th"):
        assert "Subscribed" in await chat.say(f"subscribe {topic}")
    listing = await chat.say("topics")
    assert "cat:stat.ML" in listing and "cat:math" in listing and "cat:hep-th" in listing


@pytest.mark.parametrize("typed", ["@everyone", "@here diffusion", "<!channel>", "diffusion <@U024BE7LH>"])
async def test_a_mention_is_refused_not_saved_as_a_word(chat: ConsoleChat, typed: str) -> None:
    reply = await chat.say(f"subscribe {typed}")
    assert "is a mention, and a topic is what papers say, not who to notify" in reply
    assert "e.g. `convergence`" in reply
    assert "follows no topics" in await chat.say("topics")


async def test_a_repeated_word_counts_once_and_an_equivalent_topic_is_already_followed(
    chat: ConsoleChat,
) -> None:
    reply = await chat.say("subscribe convergence convergence")
    assert "Subscribed to `convergence` (`convergence` was dropped as a repeat)" in reply
    assert "already follows `convergence`." in await chat.say("subscribe Convergence")
    reply = await chat.say("subscribe converges")
    assert "already follows `convergence`, which selects the same papers as `converges`" in reply
    reply = await chat.say("subscribe flow OR diffusion")
    assert "Subscribed to `flow OR diffusion`." in reply
    assert "already follows `flow OR diffusion`" in await chat.say("subscribe diffusion OR flow")
    listing = await chat.say("topics")
    assert re.findall(r"^\s*\d+\. (.+?)\s+\(added", listing, re.M) == ["convergence", "flow OR diffusion"]
    # Unsubscribing by any way of writing it finds the topic as stored.
    assert "Unsubscribed from `flow OR diffusion`" in await chat.say("unsubscribe diffusion OR flow")


async def test_matched_shows_the_words_the_paper_has(chat: ConsoleChat) -> None:
    chat.fake.add_paper(
        make_paper(
            "2602.90101",
            title="When do iterates converge?",
            abstract="We give a convergent scheme for nonsmooth problems.",
            published=SEED_DAY + timedelta(hours=1),  # newest: first among equal scores
        )
    )
    await chat.say("subscribe convergence")
    digest = await chat.say("preview")
    assert "1) When do iterates converge?\n" in digest
    first = digest.split("2) ")[0]
    assert "Matched: convergence (converge, convergent)" in first


async def test_a_transformer_topic_does_not_bring_a_scattering_transform(chat: ConsoleChat) -> None:
    chat.fake.add_paper(
        make_paper(
            "2602.90102",
            title="Wavelet scattering transform for audio",
            abstract="We transform recordings.",
        )
    )
    chat.fake.add_paper(
        make_paper("2602.90103", title="Transformers for audio", abstract="A transformer reads sound.")
    )
    await chat.say("subscribe ti:transformer")
    digest = await chat.say("preview")
    assert "Transformers for audio" in digest
    assert "Wavelet scattering transform" not in digest


async def test_a_topic_that_would_not_fit_or_read_back_is_refused(chat: ConsoleChat) -> None:
    reply = await chat.say("subscribe con\x00vergence")
    assert "control character (U+0000) at position 4" in reply
    reply = await chat.say("subscribe " + "İ" * 200)  # 200 typed, 399 written out
    assert "Written out in full" in reply and "the limit is 300" in reply
    colons = " ".join(f"ti:q{chr(97 + i)}z:r{chr(97 + i)}z" for i in range(24))
    assert "is 311 characters; the limit is 300" in await chat.say(f"subscribe {colons}")  # 263 typed
    assert "follows no topics" in await chat.say("topics")
    # The longest topic that is accepted fits its column on SQLite and PostgreSQL alike.
    longest = " ".join(f"ti:q{chr(97 + i)}z:r{chr(97 + i)}z" for i in range(23))  # 298 written out
    assert "Subscribed" in await chat.say(f"subscribe {longest}")
    accents = "ǅ" * 140  # lowercases to one character each, stored as 140 characters
    assert "Subscribed" in await chat.say(f"subscribe {accents} convergence")
    await chat.restart()
    listing = await chat.say("topics")
    assert 'ti:"qwz:rwz"' in listing and "ǆ" * 140 in listing


async def test_a_topic_stored_before_categories_were_checked_keeps_its_channel_working(
    chat: ConsoleChat,
) -> None:
    assert chat.services is not None
    await chat.say("subscribe convergence")
    # An older version accepted any class of a real archive; this one sits in the database.
    assert await chat.services.repository.add_topic(CONSOLE_CHANNEL, "cat:cs.ML", "someone")
    digest = await chat.say("digest")
    assert re.search(r"^1\) ", digest, re.M), digest
    asked = [r.path for r in chat.fake.requests]
    assert asked and not any("cs.ML" in path for path in asked)
    assert "Unsubscribed from `cat:cs.ML`" in await chat.say("unsubscribe cat:cs.ML")


@pytest.mark.parametrize("typed", ["²", "١", "con\x00vergence", "cat:cs.ML", "x" * 500])
async def test_unsubscribing_from_something_odd_is_answered_not_crashed(
    chat: ConsoleChat, typed: str
) -> None:
    await chat.say("subscribe convergence")
    reply = await chat.say(f"unsubscribe {typed}")
    assert "This channel doesn't follow `" in reply and "It follows: 1. `convergence`" in reply
    assert "incident" not in reply and "\x00" not in reply
    assert "1. convergence" in await chat.say("topics")
