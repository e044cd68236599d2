"""A weekly schedule on Discord: `days: weekly mon` sets it, settings show it, and a weekly without
one day is answered to the asker alone with an example."""

from __future__ import annotations

from tests.adapters.discord.conftest import DiscordBot, text_of


async def test_a_weekly_schedule_is_shown_as_weekly_in_settings_and_schedule(bot: DiscordBot) -> None:
    scheduled = await bot.answered(
        "paper", "schedule", time="09:00", timezone="Europe/Berlin", days="weekly mon"
    )
    said = text_of(scheduled.visible(to_everyone=True))  # the channel's schedule changed: all see it
    assert "Digests will arrive at 09:00 Europe/Berlin, weekly on Monday, each with the week's best" in said
    assert "Next one: Mon 16 Feb 09:00 CET" in said

    settings = text_of(await bot.run("paper", "settings"))
    assert "09:00 Europe/Berlin, weekly on Monday" in settings
    assert "Digests arrive at 09:00 Europe/Berlin, weekly on Monday" in text_of(
        await bot.run("paper", "schedule")
    )

    # A new time alone keeps the week.
    await bot.run("paper", "schedule", time="07:30")
    assert "07:30 Europe/Berlin, weekly on Monday" in text_of(await bot.run("paper", "settings"))


async def test_weekly_without_one_day_gets_one_line_with_an_example(bot: DiscordBot) -> None:
    for days, complaint in (
        ("weekly", "❌ `weekly`: on which day? Name one, e.g. `schedule weekly mon 09:00 Europe/Berlin`."),
        ("weekly mon,fri", "❌ `weekly mon,fri`: a weekly digest comes on one day, e.g. "),
    ):
        answer = await bot.answered("paper", "schedule", time="09:00", days=days)
        shown = text_of(answer.visible(to_everyone=False))
        assert shown.startswith(complaint) and "\n" not in shown.strip(), shown
        assert answer.visible(to_everyone=True) == []
    assert "weekly" not in text_of(await bot.run("paper", "settings"))
