"""`like:` topics and mutes as Discord slash commands: discord.py against the fake gateway and API."""

from __future__ import annotations

from tests.adapters.discord.conftest import DiscordBot, text_of

NHGD = "Natural Hypergradient Descent: Algorithm Design, Convergence Analysis, and Parallel Implementation"


async def test_a_channel_follows_papers_like_one_mutes_an_author_and_lists_both(bot: DiscordBot) -> None:
    reply = text_of(await bot.run("paper", "subscribe", topic="like:2602.10905 OR like:2602.99999"))
    assert "I can't follow papers like 2602.99999: arXiv has no paper 2602.99999." in reply
    reply = text_of(await bot.run("paper", "subscribe", topic='like:2602.10905 -"survey"'))
    assert f'Subscribed to papers like "{NHGD}" (2602.10905) that match `-survey`.' in reply
    reply = text_of(await bot.run("paper", "mute", term='au:"Jane Doe"'))
    assert 'Muted `au:"Jane Doe"`' in reply
    assert "is more than one term" in text_of(await bot.run("paper", "mute", term="diffusion OR flow"))

    listing = text_of(await bot.run("paper", "topics"))
    assert "**1.** `like:2602.10905 -survey`" in listing
    assert f'papers like "{NHGD}" (2602.10905) that match `-survey`' in listing
    assert '**Muted here** (papers with these never come):\n**1.** `au:"Jane Doe"`' in listing
    assert 'Muted `au:"Jane Doe"`' in text_of(await bot.run("paper", "settings"))

    assert 'Unmuted `au:"Jane Doe"`' in text_of(await bot.run("paper", "unmute", term='au:"jane doe"'))
    reply = text_of(await bot.run("paper", "unsubscribe", topic="like:2602.10905v1 -survey"))
    assert "Unsubscribed from `like:2602.10905 -survey`" in reply
