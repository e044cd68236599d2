"""Bad input gets a clear, friendly answer with an example, stores nothing, and never a traceback."""

from __future__ import annotations

import pytest

from tests.scenario.conftest import ConsoleChat

BAD_TOPICS = [
    "",
    "x" * 10_000,
    '"unclosed phrase',
    "(diffusion AND cat:cs.LG",
    "diffusion)",
    "AND diffusion",
    "cat:",
    "foo:bar",
    "-diffusion",
    "🙂🙂🙂",
]


@pytest.mark.parametrize("topic", BAD_TOPICS, ids=lambda t: t[:20] or "empty")
async def test_an_invalid_topic_is_explained_and_not_stored(chat: ConsoleChat, topic: str) -> None:
    reply = await chat.say(f"subscribe {topic}")
    assert "Traceback" not in reply
    assert "Subscribed" not in reply
    assert "e.g." in reply or "example" in reply.lower() or "like" in reply or "For example" in reply
    assert len(reply) < 1900  # at most the command list (an empty topic shows it), never the input echoed
    assert "follows no topics" in await chat.say("topics")


async def test_sql_looking_and_unicode_topics_are_stored_as_plain_text(chat: ConsoleChat) -> None:
    hostile = "'; DROP TABLE subscriptions; --"
    reply = await chat.say(f"subscribe {hostile}")
    assert "Traceback" not in reply
    await chat.say("subscribe Konvergenz über Räume")
    listing = await chat.say("topics")
    assert "konvergenz über räume" in listing
    # The table is still there and still answers.
    assert "Subscribed" in await chat.say("subscribe convergence")


async def test_subscribing_twice_is_harmless(chat: ConsoleChat) -> None:
    await chat.say("subscribe Convergence")
    assert "already follows `convergence`" in await chat.say("subscribe  convergence ")
    assert (await chat.say("topics")).count("convergence") == 1


@pytest.mark.parametrize(
    "line",
    [
        "explain 2613.12345",
        "explain 1412.12345",
        "explain not-an-id",
        "explain https://example.com/2602.10905",
    ],
)
async def test_a_malformed_id_gets_the_accepted_forms(chat: ConsoleChat, line: str) -> None:
    reply = await chat.say(line)
    assert "2602.10905" in reply  # an example of a right form
    assert "Traceback" not in reply


async def test_an_unknown_paper_is_reported_not_crashed(chat: ConsoleChat) -> None:
    reply = await chat.say("explain 2601.99999")
    assert "no paper 2601.99999" in reply


@pytest.mark.parametrize("line", ["frobnicate", "subscribe", "unsubscribe", "explain", "ask 2602.10905"])
async def test_unknown_or_incomplete_commands_get_help(chat: ConsoleChat, line: str) -> None:
    reply = await chat.say(line)
    assert "subscribe <topic>" in reply
    assert "Traceback" not in reply


async def test_unsubscribe_something_not_followed(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    assert "no topic number 7" in await chat.say("unsubscribe 7")
    assert "doesn't follow `diffusion`" in await chat.say("unsubscribe diffusion")


@pytest.mark.parametrize("args", ["25:00", "9", "09:00 Mars/Olympus", "09:00 UTC someday"])
async def test_bad_schedules_say_what_is_wrong(chat: ConsoleChat, args: str) -> None:
    reply = await chat.say(f"schedule {args}")
    assert "Traceback" not in reply
    assert "Digests will arrive" not in reply
    assert "09:00 UTC, daily" in await chat.say("settings")


async def test_arxiv_being_down_is_a_friendly_message(chat: ConsoleChat) -> None:
    await chat.say("subscribe convergence")
    chat.fake.fail_next(20, status=503)
    reply = await chat.say("preview")
    assert "arXiv did not answer" in reply
    assert "Try again in a few minutes" in reply
