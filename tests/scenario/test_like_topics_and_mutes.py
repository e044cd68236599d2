"""`like:` and `~` topics and mutes through the console: real services, SQLite or PostgreSQL, fake arXiv."""

from __future__ import annotations

import re

from tests.scenario.conftest import ConsoleChat

NHGD = "Natural Hypergradient Descent: Algorithm Design, Convergence Analysis, and Parallel Implementation"


def items(output: str) -> list[tuple[str, str, str]]:
    """Each digest item's title, authors line and categories line, as the channel shows them."""
    found = re.findall(r"^\d+\) (.+)$\n\n  • Authors: (.+)$\n.*\n  • Categories: (.+)$", output, re.M)
    return [(title, authors, categories) for title, authors, categories in found]


async def test_like_names_the_paper_by_its_title_and_topics_says_it_in_words(chat: ConsoleChat) -> None:
    reply = await chat.say("subscribe like:2602.10905v1")
    assert f'Subscribed to papers like "{NHGD}" (2602.10905).' in reply
    reply = await chat.say('subscribe ~"bilevel optimization" cat:math.OC -survey')
    assert (
        'Subscribed to papers about "bilevel optimization" (by meaning) that match `cat:math.OC -survey`'
        in reply
    )
    listing = await chat.say("topics")
    assert "1. like:2602.10905" in listing
    assert f'papers like "{NHGD}" (2602.10905)' in listing
    assert '2. ~"bilevel optimization" cat:math.OC -survey' in listing
    # Stored topics read back after a restart, and unsubscribing works however they are written.
    await chat.restart()
    assert "already follows `like:2602.10905`" in await chat.say(
        "subscribe like:https://arxiv.org/abs/2602.10905"
    )
    assert "Unsubscribed from `like:2602.10905`" in await chat.say("unsubscribe like:2602.10905v2")
    assert "Unsubscribed from" in await chat.say('unsubscribe ~"Bilevel  optimization" -survey cat:math.OC')
    assert "follows no topics" in await chat.say("topics")


async def test_like_an_unknown_paper_is_refused_and_nothing_is_stored(chat: ConsoleChat) -> None:
    reply = await chat.say("subscribe like:2602.99999")
    assert "I can't follow papers like 2602.99999: arXiv has no paper 2602.99999." in reply
    assert "follows no topics" in await chat.say("topics")
    # The miss is remembered: asking again costs arXiv nothing.
    before = len(chat.fake.requests)
    assert "arXiv has no paper 2602.99999" in await chat.say("subscribe like:2602.99999 OR like:2602.10905")
    assert len(chat.fake.requests) == before


async def test_bad_like_and_meaning_topics_get_an_example_of_right(chat: ConsoleChat) -> None:
    assert "`like:` needs a term right after it — e.g. `like:2602.10905`" in await chat.say("subscribe like:")
    reply = await chat.say("subscribe like:hypergradients")
    assert "`like:` needs an arXiv id, and `hypergradients` is not one" in reply
    assert "`~` needs words right after it" in await chat.say("subscribe ~")
    assert "in an OR with words" in await chat.say("subscribe ~bilevel OR convergence")
    assert "follows no topics" in await chat.say("topics")


async def test_a_muted_word_author_and_category_leave_the_digest(chat: ConsoleChat) -> None:
    await chat.say("subscribe hypergradient OR bilevel OR convergence")  # NHGD has two: it comes first
    await chat.say("settings max 50")
    before = items(await chat.say("preview"))
    assert NHGD in [title for title, _, _ in before]
    assert any("math.OC" in categories for _, _, categories in before)
    author = next(authors.split(", ")[0] for title, authors, _ in before if title != NHGD)

    assert "Muted `hypergradients`" in await chat.say("mute Hypergradients")
    assert f'Muted `au:"{author}"`' in await chat.say(f'mute au:"{author}"')
    assert "Muted `cat:math.OC`" in await chat.say("mute cat:math.oc")
    after = items(await chat.say("preview"))
    assert after, "other papers of the topic still come"
    assert NHGD not in [title for title, _, _ in after]
    assert not any(author in authors.split(", ") for _, authors, _ in after)
    assert not any("math.OC" in categories for _, _, categories in after)

    listing = await chat.say("topics")
    assert "Muted here" in listing and "3. cat:math.OC" in listing
    settings = await chat.say("settings")
    assert f'Muted:        hypergradients, au:"{author}", cat:math.OC' in settings

    # The digest posts what the preview showed; unmuting brings the papers back.
    assert [t for t, _, _ in items(await chat.say("digest"))] == [t for t, _, _ in after]
    assert "Unmuted `hypergradients`" in await chat.say("unmute hypergradient")  # any inflection
    assert "Unmuted `cat:math.OC`" in await chat.say("unmute 2")
    assert NHGD in [t for t, _, _ in items(await chat.say("more"))]


async def test_mutes_are_checked_counted_once_and_capped(chat: ConsoleChat) -> None:
    assert "Mute what?" in await chat.say("mute")
    assert "is more than one term" in await chat.say("mute diffusion OR flow")
    assert "can't be muted: a mute is a word, author or category" in await chat.say("mute ~diffusion")
    assert "only common words" in await chat.say("mute the")  # would mute nearly every paper
    assert "`cs.XX` is not an arXiv category" in await chat.say("mute cat:cs.XX")
    assert "Muted `diffusion`" in await chat.say("mute diffusion")
    assert "already muted `diffusion`" in await chat.say("mute diffused")
    for n in range(19):
        assert "Muted" in await chat.say(f"mute word{n}x")
    assert "has muted 20 terms, the most it can" in await chat.say("mute rendering")
    assert "hasn't muted `rendering`. It has muted: 1. `diffusion`" in await chat.say("unmute rendering")
    assert "There is no mute number 21" in await chat.say("unmute 21")
