"""The learned ranking in Slack: `settings quality`, what `settings` says of it, and items' "Why"."""

from __future__ import annotations

from typing import Any

from tests.adapters.slack.conftest import CHANNEL, SlackBot
from tests.adapters.slack.test_digest import command, texts
from tests.fakes.slack_server import FakeSlack


def ranking_line(slack: FakeSlack) -> str:
    """The `Ranking:` line of the last `settings` answer."""
    shown = texts(slack.responses()[-1]["blocks"])
    return next(line for line in shown.splitlines() if line.startswith("Ranking:"))


async def items(slack: FakeSlack, bot: SlackBot) -> list[dict[str, Any]]:
    """Post a digest of the `convergence` papers and return its item messages."""
    await command(slack, bot, "subscribe convergence")
    await command(slack, bot, "digest")
    _header, *rest = slack.posts(CHANNEL)
    return [post for post in rest if "thread_ts" not in post]


async def test_quality_is_a_managed_setting_that_settings_shows(slack: FakeSlack, bot: SlackBot) -> None:
    await command(slack, bot, "settings quality high")
    assert "quality high" in texts(slack.responses()[-1]["blocks"])
    await command(slack, bot, "settings")
    assert ranking_line(slack).endswith("quality high")
    assert "ranks by the topics' words until members cast 4 👍/👎 votes" in ranking_line(slack)

    await command(slack, bot, "settings quality superb")
    assert "Try `settings quality high`" in texts(slack.responses()[-1]["blocks"])
    await command(slack, bot, "settings")
    assert ranking_line(slack).endswith("quality high")  # the bad value changed nothing


async def test_votes_on_items_teach_the_channel_a_model_that_settings_reports(
    slack: FakeSlack, bot: SlackBot
) -> None:
    posted = await items(slack, bot)
    assert len(posted) >= 4
    for n, item in enumerate(posted[:4]):
        envelope = await slack.press(item, "paperboy_vote_up" if n % 2 == 0 else "paperboy_vote_down")
        await slack.wait_for_ack(envelope)
        await bot.idle()
    await command(slack, bot, "settings")
    line = ranking_line(slack)
    assert "learned from 4 votes" in line
    assert "`quality high` shows only papers above a" in line
