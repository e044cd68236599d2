"""The Slack adapter's pure parts: reading what people typed, rendering replies, pacing, permissions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest

from adapters.slack import translate
from adapters.slack.blocks import render_reply
from adapters.slack.mrkdwn import escape, safe, split_safe
from adapters.slack.pacing import ChannelPacer
from adapters.slack.people import ManagerPolicy
from bot.domain.command_specs import COMMANDS
from bot.domain.commands import (
    Ask,
    Explain,
    ListTopics,
    MarkNotRelevant,
    NotUnderstood,
    PostDigest,
    Subscribe,
    Vote,
)
from bot.domain.digest import NO_LLM_FALLBACK, ExplanationText
from bot.domain.replies import Answer, ChannelSettings, Help, Notice, PaperCard, Reply, TopicEntry, TopicList
from bot.domain.schedule import Schedule
from tests.adapters.slack.test_digest_limits import assert_within_slack_limits
from tests.fakes.clock import FakeClock
from tests.fixtures.seed_papers import digest_seed_papers

BOT = "U0BOT"


def test_paper_text_is_defanged_then_escaped() -> None:
    assert safe("a <!channel> & <b> @here") == "a ‹!channel› &amp; &lt;b&gt; @\u200bhere"
    assert safe("<https://evil.example|arxiv.org>") == "arxiv.org (https://evil.example)"


def test_splitting_keeps_every_word_and_never_cuts_an_entity() -> None:
    text = " ".join(["x<&>y"] * 3_000) + " " + "&" * 7_000
    pieces = split_safe(text, 3_000)
    assert all(0 < len(piece) <= 3_000 for piece in pieces)
    assert not any(re.search(r"&(?!amp;|lt;|gt;)", piece) for piece in pieces)  # whole entities only
    assert "".join(pieces).replace(" ", "") == escape(text).replace(" ", "")


def test_slack_encoded_text_is_read_as_typed() -> None:
    assert translate.incoming_text(
        "explain <https://arxiv.org/abs/2602.10905v2|arxiv.org/abs/2602.10905v2>"
    ) == ("explain https://arxiv.org/abs/2602.10905v2")
    assert translate.slash_command("/paper", "subscribe a &amp; b &lt;c&gt;") == Subscribe("a & b <c>")


def test_explain_without_a_paper_says_how_to_ask() -> None:
    command = translate.slash_command("/explain", "  ")
    assert isinstance(command, NotUnderstood) and "/explain 2602.10905" in command.why
    assert translate.slash_command("/explain", "2602.10905") == Explain("2602.10905")


@pytest.mark.parametrize(
    ("text", "thread_paper", "expected"),
    [
        (f"<@{BOT}> explain 2602.10905", None, Explain("2602.10905")),
        (f"<@{BOT}> what about <https://arxiv.org/pdf/2602.10905v1>", None, Explain("2602.10905")),
        (f"<@{BOT}> topics", None, ListTopics()),
        (f"<@{BOT}> digest", "2602.10905", PostDigest()),
        # In a paper's thread, a question or an explanation is a look at the item: a weak 👍.
        (
            f"<@{BOT}> does it scale to GPUs",
            "2602.10905",
            Ask("2602.10905", "does it scale to GPUs", from_item=True),
        ),
        (f"<@{BOT}>", "2602.10905", Explain("2602.10905", from_item=True)),
        (f"<@{BOT}> explain", "2602.10905", Explain("2602.10905", from_item=True)),
    ],
)
def test_mentions_become_commands(text: str, thread_paper: str | None, expected: object) -> None:
    assert translate.mention_command(text, BOT, thread_paper) == expected


def test_a_mention_that_is_no_command_gets_help() -> None:
    command = translate.mention_command(f"<@{BOT}> good morning", BOT)
    assert isinstance(command, NotUnderstood) and "good" in command.why


def test_buttons_and_thread_replies() -> None:
    explain = translate.action_command("paperboy_explain:2602.10905", "2602.10905")
    assert explain == Explain("2602.10905", from_item=True)  # opened on a digest item: a weak 👍
    assert translate.action_command("paperboy_not_relevant:2602.10905", "") == MarkNotRelevant("2602.10905")
    assert translate.action_command("paperboy_vote_up:2602.10905", "") == Vote("2602.10905", up=True)
    assert translate.action_command("paperboy_vote_down:2602.10905", "") == Vote("2602.10905", up=False)
    assert translate.action_command("someone_elses_button", "x") is None
    assert translate.thread_question("thanks!", "2602.10905") is None
    assert translate.thread_question("why &lt;this&gt;?", "2602.10905") == Ask(
        "2602.10905", "why <this>?", from_item=True
    )


def _replies() -> list[Reply]:
    paper = digest_seed_papers()[0]
    huge = "A long answer, said again. " * 8_000
    entry = TopicEntry(1, "convergence", "ada", datetime(2026, 2, 1, tzinfo=UTC))
    return [
        Notice("Subscribed to `<!here>`"),
        Help(COMMANDS, lead="I don't know the command `x`."),
        TopicList(tuple([entry] * 50)),
        PaperCard(paper, ExplanationText(NO_LLM_FALLBACK, is_fallback=True)),
        PaperCard(paper, ExplanationText(huge, model="m")),
        Answer(paper, "why? " * 2_000, ExplanationText(huge)),
        ChannelSettings("#papers", Schedule(time(9), "UTC", frozenset(range(7))), 10, False, 2, None, None),
    ]


@pytest.mark.parametrize("reply", _replies(), ids=lambda r: type(r).__name__)
def test_every_reply_renders_within_slacks_limits(reply: Reply) -> None:
    for message in render_reply(reply):
        assert_within_slack_limits({"blocks": message.blocks, "text": message.text})
        assert "<!here>" not in str(message.blocks) and "<topic>" not in str(message.blocks)


async def test_the_pacer_spaces_one_channel_and_lets_another_go_at_once() -> None:
    clock = FakeClock()

    async def sleep(seconds: float) -> None:
        clock.sleep(seconds)

    pacer = ChannelPacer(1.0, monotonic=clock.monotonic, sleep=sleep)
    await pacer.turn("C1")
    await pacer.turn("C2")
    assert clock.sleeps == []
    await pacer.turn("C1")
    assert clock.sleeps == [1.0]
    clock.advance(5.0)
    await pacer.turn("C1")
    assert clock.sleeps == [1.0]


def test_manager_settings() -> None:
    assert ManagerPolicy.parse("everyone") == ManagerPolicy()
    assert ManagerPolicy.parse("Admins").admins
    listed = ManagerPolicy.parse(" U1, U2 ,")
    assert listed.user_ids == frozenset({"U1", "U2"}) and not listed.everyone
