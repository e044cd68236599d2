"""After a crash, Discord tells which digest items went out; a repeated post is dropped by its nonce;
a channel that refuses posts is paused while the others get their digests.

A run killed between posting and recording leaves claims behind; here that state is made through
the real publisher (posts made, claims never confirmed), then a restarted bot reconciles it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pytest

from bot.domain.channel import ChannelRef
from bot.domain.digest import Digest, ExplanationText
from bot.domain.replies import PaperCard
from tests.adapters.discord.conftest import DiscordBot, text_of
from tests.fakes.discord_server import FakeDiscord
from tests.support.claims import claim_as
from tests.support.scheduled import post_scheduled


def ref_of(bot: DiscordBot, channel: dict[str, Any]) -> ChannelRef:
    """The core's name for a channel of the fake guild."""
    return ChannelRef("discord", str(bot.fake.guild_id), str(channel["id"]), f"#{channel['name']}")


def items_posted(bot: DiscordBot, channel_id: str | None = None) -> list[str]:
    """Papers posted as digest items (an embed with buttons) in a channel, repeats included."""
    messages = bot.fake.messages.get(channel_id or bot.channel_id, [])
    return [m["embeds"][0]["url"].rsplit("/", 1)[1] for m in messages if m["embeds"] and m["components"]]


async def a_digest(bot: DiscordBot, run_id: str) -> tuple[ChannelRef, Digest]:
    """The channel's next digest, as a run with this id would post it."""
    assert bot.services is not None
    ref = ref_of(bot, bot.fake.papers_channel)
    plan = await bot.services.engine.builder.build(await bot.services.repository.ensure_channel(ref))
    return ref, replace(plan.digest, run_id=run_id)


async def test_posts_made_before_a_crash_are_found_after_a_restart_and_not_repeated(bot: DiscordBot) -> None:
    await bot.run("paper", "subscribe", topic="convergence")
    ref, digest = await a_digest(bot, "dead-run")
    claimed = digest.items[:4]
    assert bot.services is not None and bot.adapter is not None and bot.adapter.publisher is not None
    await claim_as(bot.services, ref, [i.paper for i in claimed], "dead-run")
    publisher = bot.adapter.publisher
    header = await publisher.post_digest_header(ref, digest)
    made = [await publisher.post_digest_item(ref, digest, item, header) for item in claimed[:2]]
    # ...and the process died before recording those two posts or making the other two.

    await bot.restart()
    report = await bot.services.engine.delivery.posts.reconcile()
    assert (report.confirmed, report.released) == (2, 2)
    for message_id, item in zip(made, claimed, strict=False):
        assert await bot.services.repository.paper_for_message(ref, message_id) == item.paper.arxiv_id

    assert "Digest posted" in text_of(await bot.run("paper", "digest"))
    posted = items_posted(bot)
    assert len(posted) == len(set(posted))
    assert {i.paper.arxiv_id for i in claimed} <= set(posted)


async def test_the_same_paper_posted_again_within_minutes_comes_back_as_the_first_message(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    await bot.run("paper", "subscribe", topic="convergence")
    ref, digest = await a_digest(bot, "run-1")
    assert bot.adapter is not None and bot.adapter.publisher is not None
    publisher = bot.adapter.publisher
    header = await publisher.post_digest_header(ref, digest)
    item = digest.items[0]
    first = await publisher.post_digest_item(ref, digest, item, header)
    again = await publisher.post_digest_item(ref, digest, item, header)

    assert again == first
    assert items_posted(bot) == [item.paper.arxiv_id]
    sent = [r.body for r in fake_discord.requests_to("POST", rf"/channels/{bot.channel_id}/messages")]
    nonces = [b["nonce"] for b in sent if b.get("components")]
    assert len(nonces) == 2 and nonces[0] == nonces[1]
    assert all(b["enforce_nonce"] is True for b in sent if b.get("components"))


async def test_a_post_that_never_happened_is_not_found_nor_is_an_explain_card(bot: DiscordBot) -> None:
    await bot.run("paper", "subscribe", topic="convergence")
    ref, digest = await a_digest(bot, "run-1")
    assert bot.adapter is not None and bot.adapter.publisher is not None
    publisher = bot.adapter.publisher
    paper = digest.items[0].paper
    await publisher.post_reply(ref, PaperCard(paper, ExplanationText("An explanation.")))

    assert await publisher.find_post(ref, paper.arxiv_id, "run-1") is None
    assert bot.channel_messages()[-1]["embeds"][0]["url"].endswith(paper.arxiv_id)  # the card is there


async def test_without_read_message_history_the_claim_is_kept_not_reposted(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    await bot.run("paper", "subscribe", topic="convergence")
    ref, digest = await a_digest(bot, "dead-run")
    assert bot.services is not None
    await claim_as(bot.services, ref, [digest.items[0].paper], "dead-run")
    fake_discord.fail_next("GET", rf"/channels/{bot.channel_id}/messages", 403)

    report = await bot.services.engine.delivery.posts.reconcile()
    assert (report.confirmed, report.released) == (0, 0)
    assert [c.arxiv_id for c in await bot.services.repository.pending_deliveries(ref)] == [
        digest.items[0].paper.arxiv_id
    ]


async def test_a_channel_that_refuses_posts_is_paused_and_the_other_gets_its_digest(
    bot: DiscordBot, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.run("paper", "subscribe", topic="convergence")
    await bot.run("paper", "subscribe", channel=fake_discord.general_channel, topic="convergence")
    papers, general = ref_of(bot, fake_discord.papers_channel), ref_of(bot, fake_discord.general_channel)
    fake_discord.fail_next("POST", rf"/channels/{bot.channel_id}/messages", 403)  # the bot was removed
    assert bot.services is not None

    with caplog.at_level(logging.WARNING):
        await post_scheduled(bot.services, papers)
        await post_scheduled(bot.services, general)

    state = await bot.services.repository.get_channel(papers)
    assert state is not None and state.paused
    assert f"paused {papers.key}" in caplog.text
    assert "403" in caplog.text
    assert len(items_posted(bot, str(fake_discord.general_channel["id"]))) == 10
    assert items_posted(bot) == []
