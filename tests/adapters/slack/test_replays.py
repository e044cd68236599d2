"""Socket Mode delivers at least once: a redelivered envelope is handled once, even when it reaches a
restarted bot (new services on the same database) or another bot process on the same database."""

from __future__ import annotations

from typing import Any

from tests.adapters.slack.conftest import CHANNEL, PAPERS, SlackBot
from tests.fakes import slack_payloads as wire
from tests.fakes.slack_server import FakeSlack


async def _deliver(slack: FakeSlack, bot: SlackBot, envelope_id: str, *, connection: int = -1) -> None:
    """Deliver this envelope (again) and wait until it is acknowledged and its work is done."""
    sent = slack.sent_envelopes[envelope_id]
    acks = len([a for a in slack.calls("ack") if a.data["envelope_id"] == envelope_id])
    await slack.send_envelope(sent["type"], sent["payload"], envelope_id=envelope_id, connection=connection)

    def acknowledged() -> bool:
        return len([a for a in slack.calls("ack") if a.data["envelope_id"] == envelope_id]) > acks

    await slack.wait_until(acknowledged)
    await bot.idle()


async def _topics(bot: SlackBot) -> list[str]:
    assert bot.services is not None
    return [t.topic for t in await bot.services.repository.topics(PAPERS)]


async def test_envelopes_redelivered_after_a_restart_are_not_handled_again(
    slack: FakeSlack, bot: SlackBot, make_bot: Any
) -> None:
    command = await slack.send_slash_command("subscribe convergence")
    mention = await slack.send_event(wire.message_event("<@U0BOT> help", mention=True))
    for envelope in (command, mention):
        await slack.wait_for_ack(envelope)
    await bot.idle()
    answered = (len(slack.responses()), len(slack.calls("chat.postMessage")))
    assert answered == (1, 1)

    await bot.close()  # the process restarts: new services, the same database
    restarted = await make_bot()
    await slack.wait_connected()
    for envelope in (command, mention):
        await _deliver(slack, restarted, envelope)

    assert (len(slack.responses()), len(slack.calls("chat.postMessage"))) == answered
    assert await _topics(restarted) == ["convergence"]


async def test_a_redelivery_to_another_bot_process_on_the_same_database_is_not_handled_again(
    slack: FakeSlack, bot: SlackBot, make_bot: Any
) -> None:
    second = await make_bot()
    await slack.wait_until(lambda: slack.connections == 2)
    envelope = await slack.send_slash_command("subscribe convergence", channel_id=CHANNEL)
    await slack.wait_for_ack(envelope)
    await second.idle()
    await _deliver(slack, bot, envelope, connection=0)  # Slack tries the other connection

    (told,) = slack.responses()
    assert "Subscribed to `convergence`" in told["text"]
    assert await _topics(bot) == ["convergence"]
