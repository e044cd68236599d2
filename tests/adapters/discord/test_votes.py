"""Votes on Discord: 👍/👎 buttons on digest items and `/explain` cards, `/paper like`, weak 👍, settings."""

from __future__ import annotations

from typing import Any

from bot.domain.channel import ChannelRef
from bot.domain.votes import ChannelVote
from tests.adapters.discord.conftest import DiscordBot, text_of
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_world import EPHEMERAL, Interaction
from tests.fakes.llm_server import FakeLlm
from tests.support.votes import votes_in

NHGD_ID = "2602.10905"
EXPLANATION = "NHGD preconditions the hypergradient with an empirical Fisher surrogate."
UP, DOWN = ChannelVote(NHGD_ID, 1, weak=False), ChannelVote(NHGD_ID, -1, weak=False)


def papers(bot: DiscordBot) -> ChannelRef:
    """The channel the tests type in, as the core knows it."""
    return ChannelRef("discord", str(bot.fake.guild_id), bot.channel_id, "papers")


def button(message: dict[str, Any], label: str) -> str:
    """The custom_id of the button shown with this label or emoji."""
    for row in message["components"]:
        for shown in row["components"]:
            if label in (shown.get("label"), (shown.get("emoji") or {}).get("name")):
                return str(shown["custom_id"])
    raise AssertionError(f"no {label} button")


async def digest_item(bot: DiscordBot) -> dict[str, Any]:
    """Post a one-paper digest and return its item message."""
    await bot.run("paper", "subscribe", topic='au:"Deyi Kong"')
    await bot.run("paper", "digest")
    return next(m for m in bot.channel_messages() if m["components"])


async def pressed(fake: FakeDiscord, message: dict[str, Any], label: str, **who: Any) -> Interaction:
    """Press a button and wait for the bot's answer to it."""
    press = await fake.click(message, button(message, label), **who)
    await fake.wait_for(lambda: press.followups, within=15)
    return press


async def test_vote_buttons_on_a_digest_item_are_one_changeable_vote_answered_privately(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    item = await digest_item(bot)
    assert bot.services is not None
    up = await pressed(fake_discord, item, "👍", user=fake_discord.member)
    assert await votes_in(bot.services, papers(bot)) == [UP]
    down = await pressed(fake_discord, item, "👎", user=fake_discord.member)
    assert await votes_in(bot.services, papers(bot)) == [DOWN]

    for press, said in ((up, f"Noted: 👍 on {NHGD_ID}"), (down, f"your vote on {NHGD_ID} is now 👎")):
        assert press.visible(to_everyone=True) == []  # a plain member may vote; only they see the note
        assert said in text_of(press.visible(to_everyone=False))
        assert press.callbacks[0].body["data"]["flags"] & EPHEMERAL


async def test_not_relevant_is_a_thumbs_down_and_each_member_has_one_vote(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    item = await digest_item(bot)
    assert bot.services is not None
    await pressed(fake_discord, item, "Not relevant", user=fake_discord.member)
    await pressed(fake_discord, item, "👍")  # the moderator
    assert sorted(v.value for v in await votes_in(bot.services, papers(bot))) == [-1, 1]


async def test_explain_on_a_digest_item_is_a_weak_thumbs_up(
    bot: DiscordBot, fake_discord: FakeDiscord, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = EXPLANATION
    item = await digest_item(bot)
    assert bot.services is not None
    await pressed(fake_discord, item, "Explain", user=fake_discord.member)
    assert await votes_in(bot.services, papers(bot)) == [ChannelVote(NHGD_ID, 1, weak=True)]


async def test_an_explain_card_carries_the_vote_buttons_and_they_work(
    bot: DiscordBot, fake_discord: FakeDiscord, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = EXPLANATION
    await bot.run("paper", "explain", paper=NHGD_ID)
    card = next(m for m in reversed(fake_discord.followup_messages) if m["components"])
    assert EXPLANATION in text_of([card])
    assert bot.services is not None
    assert await votes_in(bot.services, papers(bot)) == []  # /explain alone is no vote
    await pressed(fake_discord, card, "👍", user=fake_discord.member)
    assert await votes_in(bot.services, papers(bot)) == [UP]
    assert [b.get("label") or b["emoji"]["name"] for b in card["components"][0]["components"]] == [
        "👍",
        "👎",
        "Not relevant",
    ]


async def test_like_and_dislike_commands_and_the_settings_figures(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    answer = await bot.answered("paper", "like", paper=f"https://arxiv.org/abs/{NHGD_ID}")
    assert f"Noted: 👍 on {NHGD_ID}" in text_of(answer.visible(to_everyone=False))
    assert answer.visible(to_everyone=True) == []
    assert bot.services is not None
    assert await votes_in(bot.services, papers(bot)) == [UP]
    wrong = await bot.answered("paper", "dislike", paper="not-a-paper")
    assert "arXiv" in text_of(wrong.visible(to_everyone=False))
    assert await votes_in(bot.services, papers(bot)) == [UP]

    shown = text_of(await bot.run("paper", "settings"))
    assert "Ranking (from votes)" in shown
    assert "100% 👍 of 1 voted item in the last 30 days; 1 vote from members" in shown
