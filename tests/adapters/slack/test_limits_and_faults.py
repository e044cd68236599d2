"""Slack's limits, mass mentions in paper text, rate limits and channels that can't be posted to."""

from __future__ import annotations

import logging

import pytest

from adapters.slack.publisher import CHANNEL_PROBLEMS, SlackChannelUnavailable
from bot.domain.channel import ChannelRef
from bot.domain.replies import Notice
from tests.adapters.slack.conftest import CHANNEL, SlackBot
from tests.adapters.slack.test_digest import EXPLANATION, NHGD_ID, command, texts
from tests.fakes.arxiv_papers import MENTIONS_ID
from tests.fakes.llm_server import FakeLlm
from tests.fakes.slack_payloads import BOT_USER_ID, TEAM_ID, message_event
from tests.fakes.slack_server import FakeSlack
from tests.support.scheduled import post_scheduled

GONE = "C0GONE"


async def test_a_paper_that_says_channel_pings_nobody_nor_does_an_llm_that_says_here(
    slack: FakeSlack, bot: SlackBot, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = "@here <!channel> read this now, and tell @everyone: it converges."
    await command(slack, bot, 'subscribe "prompt injection"')
    await command(slack, bot, "digest")
    await command(slack, bot, f"explain {MENTIONS_ID}")
    await slack.send_event(message_event(f"<@{BOT_USER_ID}> explain {MENTIONS_ID}", mention=True))
    await slack.wait_until(lambda: len(slack.posts(CHANNEL)) == 5)
    item = next(p for p in slack.posts(CHANNEL) if p.get("metadata") and "actions" in str(p["blocks"]))
    await slack.wait_for_ack(
        await slack.click(f"paperboy_explain:{MENTIONS_ID}", MENTIONS_ID, message_ts=item["ts"])
    )
    await slack.wait_until(lambda: len(slack.posts(CHANNEL)) == 6)

    received = slack.all_text()
    assert any("Robust chat summaries" in text for text in received)
    assert any("@\u200bhere ‹!channel› read this now, and tell @\u200beveryone" in text for text in received)
    for text in received:
        for ping in ("<!channel>", "<!here", "<!everyone", "@everyone", "@here", "@channel", "<script"):
            assert ping not in text, (ping, text)


async def test_a_429_is_waited_out_and_the_message_arrives_once(
    slack: FakeSlack, bot: SlackBot, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = EXPLANATION
    slack.rate_limit_next("chat.postMessage", retry_after=1)
    await command(slack, bot, f"explain {NHGD_ID}")
    limited, accepted = slack.calls("chat.postMessage")
    assert limited.data.get("rate_limited") and "ts" not in limited.data
    assert accepted.at - limited.at >= 1.0  # Retry-After: 1 was honoured (on the tests' clock)
    (post,) = slack.posts(CHANNEL)
    assert EXPLANATION in texts(post["blocks"])


async def test_a_channel_that_cannot_be_posted_to_keeps_its_papers_due(
    slack: FakeSlack, bot: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    where = {"channel_id": GONE, "channel_name": "gone"}
    await command(slack, bot, 'subscribe au:"Deyi Kong"', **where)
    slack.fail_channel(GONE, "channel_not_found")
    with caplog.at_level(logging.WARNING):
        await command(slack, bot, "digest", **where)
    told = slack.responses()[-1]
    assert told["response_type"] == "ephemeral"
    assert "I can't see this channel" in told["text"]
    assert any(
        "cannot post to #gone" in r.getMessage() and "channel_not_found" in r.getMessage()
        for r in caplog.records
    )

    gone = ChannelRef("slack", TEAM_ID, GONE, "gone")
    assert bot.services is not None and bot.adapter is not None
    # The refusal paused the channel: the scheduler posts nothing there until someone resumes it.
    assert await post_scheduled(bot.services, gone) is None
    assert await bot.services.repository.posted_count(gone) == 0

    slack.fail_channel(GONE, "")  # the bot is invited back
    await command(slack, bot, "digest", **where)
    assert len(slack.posts(GONE)) == 3  # the paper was still due
    assert await bot.services.repository.posted_count(gone) == 1


@pytest.mark.parametrize("error", sorted(CHANNEL_PROBLEMS))
async def test_each_channel_problem_raises_from_the_publisher(
    slack: FakeSlack, bot: SlackBot, error: str
) -> None:
    slack.fail_channel(GONE, error)
    assert bot.adapter is not None
    with pytest.raises(SlackChannelUnavailable) as raised:
        await bot.adapter.publisher.post_reply(ChannelRef("slack", TEAM_ID, GONE), Notice("hello"))
    assert raised.value.code == error
