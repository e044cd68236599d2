"""`/paper more` on Discord: the header says how to get the papers beyond the cap, and they come once."""

from __future__ import annotations

from tests.adapters.discord.conftest import DiscordBot, text_of


def item_urls(bot: DiscordBot) -> list[str]:
    """The arXiv links of every digest item posted in the channel so far."""
    return [m["embeds"][0]["url"] for m in bot.channel_messages() if m["embeds"]]


async def test_the_header_points_to_paper_more_which_posts_the_next_papers(bot: DiscordBot) -> None:
    await bot.run("paper", "subscribe", topic="convergence")
    await bot.run("paper", "digest")
    assert "(105 more matched; `/paper more` posts the next 10)" in bot.channel_messages()[0]["content"]
    first = item_urls(bot)
    assert len(first) == 10

    reply = await bot.run("paper", "more")
    assert "Digest posted" in text_of(reply)
    both = item_urls(bot)
    assert len(both) == 20 and len(set(both)) == 20  # ten more, none of the first ten again
