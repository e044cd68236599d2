"""A weekly schedule in Slack: set as the README writes it, shown as weekly, refused plainly when
it names no day or several."""

from __future__ import annotations

from tests.adapters.slack.conftest import PAPERS, SlackBot
from tests.adapters.slack.test_digest import command, texts
from tests.fakes.slack_server import FakeSlack


async def test_a_weekly_schedule_is_shown_as_weekly_in_settings_and_schedule(
    slack: FakeSlack, bot: SlackBot
) -> None:
    await command(slack, bot, "schedule weekly mon 09:00 Europe/Berlin")
    said = "\n".join(slack.all_text())
    assert "Digests will arrive at 09:00 Europe/Berlin, weekly on Monday, each with the week's best" in said
    assert "Next one: Mon 16 Feb 09:00 CET" in said  # the fake clock says Thursday 12 February

    await command(slack, bot, "settings")
    settings = texts(slack.responses()[-1]["blocks"])
    assert "Schedule: 09:00 Europe/Berlin, weekly on Monday" in settings
    assert "2026-02-16 08:00 UTC" in settings  # the next digest: Monday, 09:00 in Berlin

    await command(slack, bot, "schedule")
    assert "Digests arrive at 09:00 Europe/Berlin, weekly on Monday" in texts(slack.responses()[-1]["blocks"])


async def test_weekly_without_one_day_gets_one_line_with_an_example(slack: FakeSlack, bot: SlackBot) -> None:
    for typed, complaint in (
        (
            "schedule weekly",
            "`weekly`: on which day? Name one, e.g. `schedule weekly mon 09:00 Europe/Berlin`.",
        ),
        ("schedule weekly mon,fri 09:00", "`weekly mon,fri`: a weekly digest comes on one day"),
    ):
        before = len(slack.all_text())
        await command(slack, bot, typed)
        answer = [t for t in slack.all_text()[before:] if complaint in t]
        assert answer and "\n" not in answer[0], (typed, slack.all_text()[before:])
    assert bot.services is not None
    state = await bot.services.repository.get_channel(PAPERS)
    assert state is None or not state.schedule.weekly  # nothing changed
