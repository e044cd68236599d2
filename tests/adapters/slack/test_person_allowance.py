"""A person's daily LLM allowance as Slack users meet it: mentions in several channels, thread questions."""

from __future__ import annotations

from typing import Any

from tests.adapters.slack.conftest import CHANNEL
from tests.adapters.slack.test_conversation import digest_item, in_thread
from tests.adapters.slack.test_digest import NHGD_ID, texts
from tests.fakes.llm_server import FakeLlm
from tests.fakes.slack_payloads import BOT_USER_ID, message_event
from tests.fakes.slack_server import FakeSlack

ANSWER = "The empirical Fisher matrix stands in for the Hessian."


async def test_a_person_past_their_allowance_is_told_so_in_the_thread_and_the_next_person_is_answered(
    slack: FakeSlack, make_bot: Any, fake_llm: FakeLlm
) -> None:
    # An answer's worst case is 500 + 1,500 + 600 = 2,600 tokens and spends 1,800: two fit in 5,000.
    bot = await make_bot(llm_text_tokens=500, llm_daily_tokens_per_user=5_000)
    fake_llm.usage = (1_500, 300)
    item = await digest_item(slack, bot)  # the digest's explanation is the channel's, no one's
    fake_llm.reply = ANSWER
    for room in ("C0ROOM1", "C0ROOM2"):
        slack.channels[room] = room.lower()
        ask = f"<@{BOT_USER_ID}> ask {NHGD_ID} what replaces the Hessian?"
        await slack.send_event(message_event(ask, channel_id=room, mention=True))
        (answer,) = await slack.wait_until(lambda room=room: slack.posts(room))
        assert ANSWER in texts(answer["blocks"])

    # Ada's third question, in the digest's thread of a third channel: her allowance is spent.
    await slack.send_event(message_event("and the step size?", thread_ts=item["ts"]))
    await slack.wait_until(lambda: len(in_thread(slack, item["ts"])) == 2)
    refused = texts(in_thread(slack, item["ts"])[1]["blocks"])
    assert "No answer: your LLM allowance for today is used up: 3,600 of 5,000 tokens a person" in refused
    assert "counted across all channels, and this request may need up to 2,600. It renews at" in refused

    # Bob asks the same thread and is answered.
    await slack.send_event(message_event("and the step size?", user_id="U0BOB", thread_ts=item["ts"]))
    await slack.wait_until(lambda: len(in_thread(slack, item["ts"])) == 3)
    assert ANSWER in texts(in_thread(slack, item["ts"])[2]["blocks"])
    assert fake_llm.calls == 4  # the digest's explanation, Ada's two answers, Bob's
    assert all(p["channel"] in (CHANNEL, "C0ROOM1", "C0ROOM2") for p in slack.posts())
