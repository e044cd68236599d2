"""Digests in a Discord channel: embeds within limits, nobody pinged, buttons, threads, refusals."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from bot.domain.paper import Paper
from tests.adapters.discord.conftest import DiscordBot, text_of
from tests.fakes.arxiv_papers import MENTIONS_ID, make_paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.llm_server import FakeLlm
from tests.fixtures.seed_papers import SEED_DAY

EPHEMERAL = 64
EXPLANATION = "NHGD preconditions the hypergradient with an empirical Fisher surrogate."


def long_paper(n: int) -> Paper:
    """A paper at the edge of what arXiv allows and beyond: long title, 150 authors, a huge abstract."""
    return make_paper(
        f"2602.{30000 + n}",
        title=f"Paper {n}: " + "convergence of a very long title that keeps going " * 8,
        authors=tuple(f"Author{i} Longsurname-Doublebarrel" for i in range(150)),
        abstract=f"Abstract of paper {n}. " + "We prove convergence of an argument that goes on. " * 110,
        categories=("cs.LG", "math.OC", "stat.ML", "math.PR", "cs.AI", "cs.NE"),
        published=SEED_DAY,
    )


def within_limits(body: dict[str, Any]) -> list[str]:
    """Every way this message body breaks Discord's limits (none, hopefully)."""
    problems = []
    if len(body.get("content") or "") > 2000:
        problems.append("content over 2,000")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        problems.append("more than 10 embeds")
    total = 0
    for embed in embeds:
        title, description = embed.get("title", ""), embed.get("description", "")
        fields = embed.get("fields", [])
        footer = (embed.get("footer") or {}).get("text", "")
        problems += ["title over 256"] * (len(title) > 256) + ["description over 4,096"] * (
            len(description) > 4096
        )
        problems += ["over 25 fields"] * (len(fields) > 25)
        problems += ["field over 1,024" for f in fields if len(f["value"]) > 1024 or len(f["name"]) > 256]
        total += (
            len(title)
            + len(description)
            + len(footer)
            + sum(len(f["name"]) + len(f["value"]) for f in fields)
        )
    if total > 6000:
        problems.append(f"embeds total {total} over 6,000")
    return problems


def words(text: str) -> str:
    return " ".join(text.split())


async def digest_thread(bot: DiscordBot) -> str:
    """The id of the thread started on the digest's header."""
    header = bot.channel_messages()[0]
    assert header["content"].startswith("📰 **Paperboy digest**")
    return str(header["id"])


async def test_ten_papers_with_long_abstracts_stay_within_discords_limits_and_lose_nothing(
    bot: DiscordBot, fake_discord: FakeDiscord, fake_arxiv: FakeArxiv, fake_llm: FakeLlm
) -> None:
    papers = [long_paper(n) for n in range(12)]
    fake_arxiv.set_papers(papers)
    fake_llm.reply = "In short: it converges. " + "The bound follows from a telescoping sum. " * 120
    await bot.run("paper", "subscribe", topic="convergence")

    preview = await fake_discord.slash("paper", "preview")

    def previewed() -> int:
        return sum(len(r.body.get("embeds") or []) for r in preview.followups)

    await fake_discord.wait_for(lambda: previewed() >= 10)
    digest = await bot.run("paper", "digest")
    assert "Digest posted" in text_of(digest)

    bodies = fake_discord.message_bodies()
    assert bodies and all(within_limits(body) == [] for body in bodies), [within_limits(b) for b in bodies]
    assert previewed() == 10

    items = [m for m in bot.channel_messages() if m["embeds"]]
    assert [m["embeds"][0]["title"].split(")")[0] for m in items] == [str(n) for n in range(1, 11)]
    for message in items:
        embed = message["embeds"][0]
        arxiv_id = re.search(r"abs/(\S+)", embed["url"])[1]
        assert text_of([message]).count("Author") > 10  # authors shown (clipped)
        labels = [
            b.get("label") or b["emoji"]["name"] for row in message["components"] for b in row["components"]
        ]
        assert labels == ["Explain", "👍", "👎", "Not relevant", "Mute…"]
        assert arxiv_id in message["components"][0]["components"][0]["custom_id"]

    thread_text = words(text_of(fake_discord.messages[await digest_thread(bot)]))
    shown = {m["embeds"][0]["url"].rsplit("/", 1)[1] for m in items}
    for paper in papers:
        if paper.arxiv_id in shown:
            assert words(paper.abstract) in thread_text  # split over messages, never cut off
    assert thread_text.count("In short: it converges.") == 10


async def test_every_message_goes_out_with_allowed_mentions_none(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    await bot.run("paper", "subscribe", topic="convergence")
    await bot.run("paper", "subscribe", user=fake_discord.member, topic="refused")  # an immediate reply
    await bot.run("paper", "preview")
    await bot.run("paper", "digest")
    await bot.run("explain", paper="2602.10905")
    item = next(m for m in bot.channel_messages() if m["components"])
    press = await fake_discord.click(item, item["components"][0]["components"][0]["custom_id"])
    await fake_discord.wait_for(lambda: press.followups)

    bodies = fake_discord.message_bodies()
    kinds = {
        "channel": fake_discord.requests_to("POST", r"/channels/\d+/messages"),
        "follow-up": fake_discord.requests_to("POST", r"/webhooks/\d+/[^/]+"),
        "callback": [r for r in fake_discord.requests_to("POST", r"/interactions/.+") if r.body["type"] == 4],
    }
    assert all(kinds.values()), {k: len(v) for k, v in kinds.items()}
    assert len(bodies) == sum(len(v) for v in kinds.values())
    assert all(body["allowed_mentions"] == {"parse": []} for body in bodies)
    assert all(r.content_type == "application/json" for r in fake_discord.requests if r.body is not None)


async def test_a_paper_whose_abstract_says_everyone_pings_nobody_nor_does_an_llm_that_says_here(
    bot: DiscordBot, fake_discord: FakeDiscord, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = "@here, in short: <@&1> and @everyone should read this."
    await bot.run("paper", "subscribe", topic='"prompt injection"')
    await bot.run("paper", "digest")
    await bot.run("explain", paper=MENTIONS_ID)

    everything = text_of(fake_discord.message_bodies())
    assert "Robust chat summaries" in everything
    assert "@\u200bhere, in short: ‹@&1› and @\u200beveryone should read this." in everything
    assert "@\u200beveryone" in everything and "@\u200bhere" in everything  # defanged, still readable
    assert not re.search(r"@(everyone|here)", everything)
    assert "<!channel>" not in everything
    assert all(body["allowed_mentions"]["parse"] == [] for body in fake_discord.message_bodies())


async def test_the_explain_button_answers_in_the_digest_thread(
    bot: DiscordBot, fake_discord: FakeDiscord, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = EXPLANATION
    await bot.run("paper", "subscribe", topic='au:"Deyi Kong"')
    await bot.run("paper", "digest")
    thread_id = await digest_thread(bot)
    before = len(fake_discord.messages[thread_id])
    item = next(m for m in bot.channel_messages() if m["components"])

    press = await fake_discord.click(item, item["components"][0]["components"][0]["custom_id"])
    await fake_discord.wait_for(lambda: press.followups)

    assert press.callbacks[0].body["data"]["flags"] & EPHEMERAL  # the thinking note is the clicker's
    answer = text_of(fake_discord.messages[thread_id][before:])
    assert "Mod asked for an explanation of 2602.10905" in answer
    assert "Natural Hypergradient Descent" in answer and EXPLANATION in answer
    pointer = press.followups[-1].body
    assert pointer["flags"] & EPHEMERAL and f"<#{thread_id}>" in pointer["content"]


async def test_buttons_on_an_old_digest_still_work_after_a_restart(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    await bot.run("paper", "subscribe", topic='au:"Deyi Kong"')
    await bot.run("paper", "digest")
    item = next(m for m in bot.channel_messages() if m["components"])
    await bot.restart()

    not_relevant = item["components"][0]["components"][3]["custom_id"]
    press = await fake_discord.click(item, not_relevant, user=fake_discord.member)
    await fake_discord.wait_for(lambda: press.followups)
    reply = press.followups[0].body
    assert reply["flags"] & EPHEMERAL
    assert "Noted: 👎 on 2602.10905" in reply["content"]  # "Not relevant" is a 👎


async def test_a_channel_that_refuses_posts_keeps_its_papers_for_the_next_digest(
    bot: DiscordBot, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.run("paper", "subscribe", topic='au:"Deyi Kong"')
    fake_discord.fail_next("POST", rf"/channels/{bot.channel_id}/messages", 403)
    with caplog.at_level(logging.WARNING, logger="adapters.discord"):
        answer = await bot.answered("paper", "digest")
    assert answer.visible(to_everyone=True) == []  # an error is the asker's alone
    refused = text_of(answer.visible(to_everyone=False))
    assert "Discord refused my post in #papers (403 Missing Access)" in refused
    assert "Send Messages" in refused
    assert "Daily digests here are paused; type `resume`" in refused
    assert any("cannot post to #papers" in r.getMessage() for r in caplog.records)
    assert "fake-bot-token" not in caplog.text

    assert "Digest posted" in text_of(await bot.run("paper", "digest"))
    titles = [m["embeds"][0]["title"] for m in bot.channel_messages() if m["embeds"]]
    assert titles and titles[0].startswith("1) Natural Hypergradient Descent")


async def test_a_rate_limit_is_waited_out_and_the_digest_completes(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    await bot.run("paper", "subscribe", topic='au:"Deyi Kong"')
    fake_discord.rate_limit_next("POST", rf"/channels/{bot.channel_id}/messages", retry_after=0.05)

    assert "Digest posted" in text_of(await bot.run("paper", "digest"))
    posts = fake_discord.requests_to("POST", rf"/channels/{bot.channel_id}/messages")
    assert len(posts) == 3  # the refused header, the header again, one paper
    assert posts[0].body == posts[1].body
    assert bot.channel_messages()[0]["content"].startswith("📰 **Paperboy digest**")


async def test_when_the_thread_refuses_the_explanation_goes_to_the_clicker(
    bot: DiscordBot, fake_discord: FakeDiscord, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = EXPLANATION
    await bot.run("paper", "subscribe", topic='au:"Deyi Kong"')
    await bot.run("paper", "digest")
    thread_id = await digest_thread(bot)
    item = next(m for m in bot.channel_messages() if m["components"])
    fake_discord.fail_next("POST", rf"/channels/{thread_id}/messages", 403)

    press = await fake_discord.click(item, item["components"][0]["components"][0]["custom_id"])
    await fake_discord.wait_for(lambda: press.followups)

    reply = press.followups[0].body
    assert reply["flags"] & EPHEMERAL
    assert "Natural Hypergradient Descent" in text_of([reply])
    assert EXPLANATION in text_of([reply])
