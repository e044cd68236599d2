"""`like:` topics and mutes typed in Slack: through slack-bolt's Socket Mode against the fake Slack."""

from __future__ import annotations

from typing import Any

from adapters.slack.people import NOT_LISTED
from bot.infra.storage.mutes import MuteStore
from tests.adapters.slack.conftest import PAPERS, SlackBot
from tests.adapters.slack.test_digest import NHGD, command, texts
from tests.fakes.slack_server import FakeSlack


def last_response(slack: FakeSlack) -> str:
    """What the last slash command's answer shows, blocks and all."""
    (*_, answer) = [r for r in slack.records if r.kind == "response"]
    return texts(answer.data["blocks"])


async def test_a_channel_follows_papers_like_one_mutes_a_category_and_lists_both(
    slack: FakeSlack, bot: SlackBot
) -> None:
    await command(slack, bot, "subscribe like:2602.10905")
    assert f'Subscribed to papers like "{NHGD}" (2602.10905).' in last_response(slack)
    await command(slack, bot, "subscribe like:2602.99999")
    assert "I can't follow papers like 2602.99999: arXiv has no paper 2602.99999." in last_response(slack)
    await command(slack, bot, "mute cat:cs.cv")
    assert "Muted `cat:cs.CV`" in last_response(slack)

    await command(slack, bot, "topics")
    listing = last_response(slack)
    assert "1. `like:2602.10905` (added by ada)" in listing
    assert f'papers like "{NHGD}" (2602.10905)' in listing
    assert "*Muted here* (papers with these never come):\n1. `cat:cs.CV`" in listing
    await command(slack, bot, "settings")
    assert "Muted: `cat:cs.CV`" in last_response(slack)

    await command(slack, bot, "unmute 1")
    assert "Unmuted `cat:cs.CV`" in last_response(slack)
    await command(slack, bot, "unsubscribe like:2602.10905")
    assert "Unsubscribed from `like:2602.10905`" in last_response(slack)


async def test_only_listed_people_may_mute_and_unmute(slack: FakeSlack, make_bot: Any) -> None:
    bot = await make_bot(slack_managers="U0BOSS")
    await slack.wait_connected()
    await command(slack, bot, "mute cat:cs.CV")
    await command(slack, bot, "unmute cat:cs.CV")
    refused = slack.responses()
    assert [r["response_type"] for r in refused] == ["ephemeral", "ephemeral"]
    assert all(NOT_LISTED.split(";")[0] in r["text"] for r in refused)
    await command(slack, bot, "mute cat:cs.CV", user_id="U0BOSS", user_name="boss")
    assert "Muted `cat:cs.CV`" in slack.responses()[-1]["text"]
    assert bot.services is not None
    assert await MuteStore(bot.services.repository.engine).of_channel(PAPERS) == ["cat:cs.CV"]
