"""Mentions, thread questions, buttons and permissions, as people in a Slack channel meet them."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.slack.people import NOT_ADMIN, NOT_LISTED
from tests.adapters.slack.conftest import CHANNEL, PAPERS, SlackBot
from tests.adapters.slack.test_digest import EXPLANATION, NHGD, NHGD_ID, command, texts
from tests.fakes.llm_server import FakeLlm
from tests.fakes.slack_payloads import BOT_USER_ID, message_event
from tests.fakes.slack_server import FakeSlack


async def digest_item(slack: FakeSlack, bot: SlackBot) -> dict[str, Any]:
    """Post a one-paper digest and return its item message."""
    await command(slack, bot, 'subscribe au:"Deyi Kong"')
    await command(slack, bot, "digest")
    _, item, _ = slack.posts(CHANNEL)
    return item


def in_thread(slack: FakeSlack, ts: str) -> list[dict[str, Any]]:
    """Posts in the thread of the message at `ts`."""
    return [p for p in slack.posts(CHANNEL) if p.get("thread_ts") == ts]


async def test_the_explain_button_puts_the_explanation_in_the_items_thread(
    slack: FakeSlack, bot: SlackBot, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = EXPLANATION
    item = await digest_item(slack, bot)
    assert len(in_thread(slack, item["ts"])) == 1
    await slack.wait_for_ack(await slack.click(f"paperboy_explain:{NHGD_ID}", NHGD_ID, message_ts=item["ts"]))
    await slack.wait_until(lambda: len(in_thread(slack, item["ts"])) == 2)
    explained = in_thread(slack, item["ts"])[-1]
    assert EXPLANATION in texts(explained["blocks"])
    assert explained["channel"] == CHANNEL
    assert fake_llm.calls == 1  # the digest's explanation, shared with the button


async def test_a_question_in_an_items_thread_is_answered_in_that_thread(
    slack: FakeSlack, bot: SlackBot, fake_llm: FakeLlm
) -> None:
    item = await digest_item(slack, bot)
    fake_llm.reply = "It is the empirical Fisher matrix standing in for the Hessian."
    await slack.send_event(message_event("thanks, nice one", thread_ts=item["ts"]))
    await slack.send_event(message_event("what is the Fisher surrogate?", thread_ts=item["ts"]))
    await slack.wait_until(lambda: len(in_thread(slack, item["ts"])) == 2)
    await bot.idle()
    answers = in_thread(slack, item["ts"])[1:]
    assert len(answers) == 1  # "thanks" asks nothing
    assert "It is the empirical Fisher matrix standing in for the Hessian." in texts(answers[0]["blocks"])
    asked = fake_llm.requests[-1].user
    assert "what is the Fisher surrogate?" in asked and NHGD in asked


async def test_a_mention_in_an_items_thread_asks_about_that_paper(
    slack: FakeSlack, bot: SlackBot, fake_llm: FakeLlm
) -> None:
    item = await digest_item(slack, bot)
    fake_llm.reply = "It scales linearly in the number of workers."
    mention = message_event(f"<@{BOT_USER_ID}> does it scale", thread_ts=item["ts"], mention=True)
    await slack.send_event(mention)
    await slack.wait_until(lambda: len(in_thread(slack, item["ts"])) == 2)
    assert "It scales linearly in the number of workers." in texts(in_thread(slack, item["ts"])[1]["blocks"])
    asked = fake_llm.requests[-1].user
    assert "does it scale" in asked and NHGD in asked


async def test_a_mention_with_an_arxiv_link_explains_the_paper(
    slack: FakeSlack, bot: SlackBot, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = EXPLANATION
    text = f"<@{BOT_USER_ID}> have a look at <https://arxiv.org/abs/{NHGD_ID}v1>"
    await slack.send_event(message_event(text, mention=True))
    (post,) = await slack.wait_until(lambda: slack.posts(CHANNEL))
    assert NHGD in texts(post["blocks"])
    assert EXPLANATION in texts(post["blocks"])
    assert "thread_ts" not in post
    assert NHGD in fake_llm.requests[-1].user


async def test_mention_explain_command(slack: FakeSlack, bot: SlackBot, fake_llm: FakeLlm) -> None:
    fake_llm.reply = EXPLANATION
    await slack.send_event(message_event(f"<@{BOT_USER_ID}> explain arXiv:{NHGD_ID}", mention=True))
    (post,) = await slack.wait_until(lambda: slack.posts(CHANNEL))
    assert EXPLANATION in texts(post["blocks"])


async def test_only_listed_people_may_subscribe_and_others_are_told_why(
    slack: FakeSlack, make_bot: Any
) -> None:
    bot = await make_bot(slack_managers="U0BOSS")
    await slack.wait_connected()
    await command(slack, bot, "subscribe convergence")
    (refused,) = slack.responses()
    assert refused["response_type"] == "ephemeral"
    assert NOT_LISTED.split(";")[0] in refused["text"]

    await command(slack, bot, "subscribe convergence", user_id="U0BOSS", user_name="boss")
    await command(slack, bot, "preview")  # anyone may look
    assert "Subscribed to `convergence`" in slack.responses()[1]["text"]
    (preview,) = slack.posts(CHANNEL)
    assert "10 papers · topics: convergence" in preview["text"]


async def test_admins_policy_asks_slack_who_is_an_admin(slack: FakeSlack, make_bot: Any) -> None:
    slack.add_user("U0ROOT", "root", admin=True)
    bot = await make_bot(slack_managers="admins")
    await slack.wait_connected()
    await command(slack, bot, "pause")
    await command(slack, bot, "pause", user_id="U0ROOT", user_name="root")
    refused, paused = slack.responses()
    assert NOT_ADMIN.split(".")[0] in refused["text"]
    assert "Paused" in paused["text"]


async def test_a_threads_paper_is_found_from_the_deliveries_after_a_restart(
    slack: FakeSlack, bot: SlackBot
) -> None:
    from adapters.slack.publisher import ThreadIndex

    item = await digest_item(slack, bot)
    assert bot.services is not None
    fresh = ThreadIndex(bot.services.repository)  # nothing in memory, as after a restart
    assert await fresh.paper_for(PAPERS, item["ts"]) == NHGD_ID
    assert await fresh.paper_for(PAPERS, "1.0") is None


async def test_refused_tokens_stop_the_start_with_a_clear_reason(slack: FakeSlack, make_bot: Any) -> None:
    from adapters.slack.adapter import SlackStartError

    with pytest.raises(SlackStartError, match="SLACK_BOT_TOKEN: invalid_auth") as bad_bot:
        await make_bot(slack_bot_token="xoxb-revoked")
    with pytest.raises(SlackStartError, match="SLACK_APP_TOKEN: invalid_auth") as bad_app:
        await make_bot(slack_app_token="xoxp-not-an-app-token")
    assert "revoked" not in str(bad_bot.value) and "xoxp" not in str(bad_app.value)


async def test_an_event_delivered_twice_is_answered_once(slack: FakeSlack, bot: SlackBot) -> None:
    from tests.fakes.slack_payloads import event_callback

    payload = event_callback(message_event(f"<@{BOT_USER_ID}> explain {NHGD_ID}", mention=True))
    await slack.send_envelope("events_api", payload)
    await slack.send_envelope("events_api", payload)  # a redelivery: same event id, new envelope
    await slack.wait_until(lambda: slack.posts(CHANNEL))
    await slack.wait_until(lambda: len(slack.calls("ack")) == 2)
    await bot.idle()
    assert len(slack.posts(CHANNEL)) == 1
