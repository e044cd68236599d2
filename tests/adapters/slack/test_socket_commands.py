"""Slash commands over Socket Mode: acknowledged at once, answered in the channel or to the caller."""

from __future__ import annotations

import time

from tests.adapters.slack.conftest import CHANNEL, SlackBot
from tests.fakes.llm_server import FakeLlm
from tests.fakes.slack_server import FakeSlack

NHGD = "Natural Hypergradient Descent"


def response_texts(slack: FakeSlack) -> list[str]:
    """What the caller was told through response_url, in order."""
    return [r["text"] for r in slack.responses()]


async def command(slack: FakeSlack, bot: SlackBot, text: str, **options: object) -> dict[str, object]:
    """Type `/paper <text>`, wait for the acknowledgement and the work behind it."""
    envelope = await slack.send_slash_command(text, **options)
    ack = await slack.wait_for_ack(envelope)
    await bot.idle()
    return ack.data


async def test_subscribe_topics_and_unsubscribe_round_trip(slack: FakeSlack, bot: SlackBot) -> None:
    await command(slack, bot, "subscribe convergence")
    await command(slack, bot, 'subscribe "diffusion model" AND cat:cs.LG')
    await command(slack, bot, "topics")
    await command(slack, bot, "unsubscribe 1")
    await command(slack, bot, "topics")

    subscribed, second, topics, unsubscribed, after = slack.responses()
    assert "Subscribed to `convergence`" in subscribed["text"]
    assert subscribed["response_type"] == "in_channel"  # the channel sees what it now follows
    assert "diffusion model" in second["text"]
    listing = topics["blocks"][0]["text"]["text"]
    assert "1. `convergence`" in listing and "added by ada" in listing
    assert topics["response_type"] == "ephemeral"
    assert "Unsubscribed from `convergence`" in unsubscribed["text"]
    assert "convergence" not in after["blocks"][0]["text"]["text"]


async def test_a_slow_explanation_is_acknowledged_within_3_seconds_and_posted_to_the_channel(
    slack: FakeSlack, bot: SlackBot, fake_llm: FakeLlm
) -> None:
    fake_llm.delay = 10.0  # the LLM takes 10 seconds...
    fake_llm.hold()  # ...unless the test lets it answer sooner, so the test never waits for it
    fake_llm.reply = "NHGD swaps the inverse Hessian for an empirical Fisher surrogate."
    started = time.monotonic()
    envelope = await slack.send_slash_command("2602.10905", command="/explain")
    ack = await slack.wait_for_ack(envelope, within=3.0)
    assert time.monotonic() - started < 3.0
    assert ack.data["payload"]["text"] == "Reading 2602.10905..."
    asked = await fake_llm.wait_for_request()
    assert NHGD in asked.user
    assert fake_llm.answered == 0  # acknowledged while the LLM was still writing the explanation
    assert slack.posts(CHANNEL) == []

    fake_llm.release()
    await bot.idle()
    (post,) = slack.posts(CHANNEL)
    shown = str(post["blocks"])
    assert NHGD in shown
    assert "NHGD swaps the inverse Hessian for an empirical Fisher surrogate." in shown
    assert "(LLM · openai/fake-model)" in shown  # written by the configured model, not a fallback
    assert post["metadata"]["event_payload"]["arxiv_id"] == "2602.10905"
    assert fake_llm.calls == 1


async def test_a_repeated_envelope_is_answered_once(slack: FakeSlack, bot: SlackBot) -> None:
    envelope = await slack.send_slash_command("subscribe convergence")
    await slack.wait_for_ack(envelope)
    await bot.idle()
    # Socket Mode redelivers the same envelope when it missed the acknowledgement.
    again = await slack.send_envelope("slash_commands", _payload_of(slack, envelope), envelope_id=envelope)
    await slack.wait_until(lambda: len(slack.calls("ack")) == 2)
    await bot.idle()
    assert again == envelope
    assert len(slack.responses()) == 1
    await command(slack, bot, "topics")
    assert str(slack.responses()[-1]["blocks"]).count("convergence") == 1


def _payload_of(slack: FakeSlack, envelope_id: str) -> dict[str, object]:
    return slack.sent_envelopes[envelope_id]["payload"]


async def test_bad_input_gets_a_friendly_private_answer(slack: FakeSlack, bot: SlackBot) -> None:
    await command(slack, bot, "explain 2602.1")
    await command(slack, bot, "frobnicate")
    not_an_id, unknown = slack.responses()
    assert not_an_id["response_type"] == "ephemeral"
    assert "2602.1" in not_an_id["text"] and "Traceback" not in str(not_an_id)
    assert "I don't know the command `frobnicate`" in unknown["text"]
    assert "subscribe" in str(unknown["blocks"])  # the help that follows shows what works
    assert slack.posts(CHANNEL) == []
