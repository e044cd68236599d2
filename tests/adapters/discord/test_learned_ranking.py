"""The learned ranking on Discord: `/paper settings quality:`, and what `settings` says of it."""

from __future__ import annotations

from tests.adapters.discord.conftest import DiscordBot, text_of
from tests.adapters.discord.test_votes import pressed
from tests.fakes.discord_server import FakeDiscord


async def test_quality_is_an_option_of_settings_and_settings_shows_it(bot: DiscordBot) -> None:
    said = text_of(await bot.run("paper", "settings", quality="high"))
    assert "quality high" in said
    shown = text_of(await bot.run("paper", "settings"))
    assert "quality high" in shown
    assert "ranks by the topics' words until members cast 4 👍/👎 votes" in shown

    wrong = text_of(await bot.run("paper", "settings", quality="superb"))
    assert "Try `settings quality high`" in wrong
    both = text_of(await bot.run("paper", "settings", quality="normal", max_papers=5))
    assert "Change one setting at a time" in both
    assert "quality high" in text_of(await bot.run("paper", "settings"))  # nothing changed


async def test_votes_on_items_teach_a_model_that_settings_reports(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    await bot.run("paper", "subscribe", topic="convergence")
    await bot.run("paper", "digest")
    items = [m for m in bot.channel_messages() if m["components"]]
    assert len(items) >= 4
    for n, item in enumerate(items[:4]):
        await pressed(fake_discord, item, "👍" if n % 2 == 0 else "👎", user=fake_discord.member)
    shown = text_of(await bot.run("paper", "settings"))
    assert "learned from 4 votes" in shown
