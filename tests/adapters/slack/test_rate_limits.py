"""Slack's workspace-wide posting limit: 32 channels posting at once back off together on a 429, and a
post is retried for as long as Slack is only slow, on the tests' fake clock."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from adapters.slack.pacing import ChannelPacer
from adapters.slack.publisher import SlackChannelUnavailable, SlackPublisher, SlackPublishError, ThreadIndex
from bot.domain.channel import ChannelRef
from bot.domain.replies import Notice
from tests.adapters.slack.conftest import SlackBot
from tests.fakes.clock import FakeClock
from tests.fakes.slack_payloads import TEAM_ID
from tests.fakes.slack_server import FakeSlack, Recorded

CHANNELS = 32


@pytest.fixture
def llm_settings() -> dict[str, Any]:
    """No LLM: these tests are about posting, not explaining."""
    return {}


def limited(slack: FakeSlack) -> list[Recorded]:
    """The chat.postMessage calls Slack answered with 429."""
    return [r for r in slack.calls("chat.postMessage") if r.data.get("rate_limited")]


async def test_32_channels_posting_at_once_back_off_together_and_every_message_arrives(
    slack: FakeSlack, bot: SlackBot, clock: FakeClock
) -> None:
    assert bot.adapter is not None
    publisher = bot.adapter.publisher
    refs = [ChannelRef("slack", TEAM_ID, f"C{n:03d}", f"team-{n}") for n in range(CHANNELS)]
    # The workspace takes a burst of 20 posts, then one a second, across all its channels.
    slack.limits.limit_workspace(burst=20, per_second=1.0)
    started = clock.monotonic()

    async def post_three(ref: ChannelRef) -> None:
        for part in (1, 2, 3):
            await publisher.post_reply(ref, Notice(f"{ref.name}, part {part} of 3"))

    await asyncio.gather(*(post_three(ref) for ref in refs))

    for ref in refs:  # every part arrived, once, in order
        assert [p["text"] for p in slack.posts(ref.channel_id)] == [
            f"{ref.name}, part {part} of 3" for part in (1, 2, 3)
        ]
    answered_429 = limited(slack)
    # The posts beyond the first burst were refused together...
    assert len([r for r in answered_429 if r.at == started]) == CHANNELS - 20
    # ...then the whole workspace paused once and went on at Slack's pace, meeting only a few more
    # 429s while it sped up again; 12 channels retrying each on their own collide at every retry.
    assert len(answered_429) <= CHANNELS - 20 + 8
    calls = slack.calls("chat.postMessage")
    for n, refused in enumerate(calls):
        if refused.data.get("rate_limited"):  # its retry waited for the Retry-After
            retry = next(c for c in calls[n + 1 :] if c.data["text"] == refused.data["text"])
            assert retry.at - refused.at >= refused.data["retry_after"]
    # 96 posts: 20 at once, then no faster than the workspace's one a second.
    assert clock.monotonic() - started >= 3 * CHANNELS - 20 - 1


async def test_a_post_slack_keeps_slowing_down_is_retried_past_five_tries_and_arrives_once(
    slack: FakeSlack, bot: SlackBot
) -> None:
    assert bot.adapter is not None
    papers = ChannelRef("slack", TEAM_ID, "C0PAPERS", "papers")
    slack.rate_limit_next("chat.postMessage", retry_after=3, times=8)

    await bot.adapter.publisher.post_reply(papers, Notice("Slack is busy today."))

    calls = slack.calls("chat.postMessage")
    assert [bool(c.data.get("rate_limited")) for c in calls] == [True] * 8 + [False]
    assert all(later.at - earlier.at >= 3 for earlier, later in itertools.pairwise(calls))
    (post,) = slack.posts("C0PAPERS")
    assert post["text"] == "Slack is busy today."


async def test_a_post_gives_up_only_when_slack_stays_slow_past_the_patience(
    slack: FakeSlack, bot: SlackBot, clock: FakeClock
) -> None:
    assert bot.adapter is not None and bot.services is not None

    async def sleep(seconds: float) -> None:
        clock.sleep(seconds)

    pacer = ChannelPacer(1.0, monotonic=clock.monotonic, sleep=sleep, patience=120.0)
    publisher = SlackPublisher(bot.adapter.client, pacer, ThreadIndex(bot.services.repository))
    slack.rate_limit_next("chat.postMessage", retry_after=30, times=100)
    papers = ChannelRef("slack", TEAM_ID, "C0PAPERS", "papers")

    with pytest.raises(SlackPublishError) as raised:
        await publisher.post_reply(papers, Notice("Anyone there?"))

    assert str(raised.value) == "Slack kept asking me to slow down for 2 minutes; try again later."
    assert raised.value.code == "ratelimited"
    # Tried at 0, 30, 60, 90 and 120 seconds; the next try would come after the two minutes.
    assert [round(r.at - limited(slack)[0].at) for r in limited(slack)] == [0, 30, 60, 90, 120]
    assert slack.posts() == []


async def test_a_real_error_is_not_retried(slack: FakeSlack, bot: SlackBot) -> None:
    assert bot.adapter is not None
    slack.fail_channel("C0GONE", "is_archived")
    with pytest.raises(SlackChannelUnavailable):
        await bot.adapter.publisher.post_reply(ChannelRef("slack", TEAM_ID, "C0GONE"), Notice("hello"))
    assert len(slack.calls("chat.postMessage")) == 1
