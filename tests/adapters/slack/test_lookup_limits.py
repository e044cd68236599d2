"""The look-up limit on Slack: a person past it is told privately, never in front of the channel."""

from __future__ import annotations

from tests.adapters.slack.conftest import CHANNEL, SlackBot
from tests.fakes.slack_server import FakeSlack
from tests.support.held_gate import HeldGate, until

UNKNOWN = [f"2611.{99900 + n}" for n in range(4)]
BUSY = "You have 2 papers being looked up on arXiv; try again when they are answered."


async def test_the_limit_answer_reaches_only_the_person_past_it(slack: FakeSlack, bot: SlackBot) -> None:
    gate = bot.source.gate
    with HeldGate(gate):  # arXiv is busy while Ada asks for four papers
        for arxiv_id in UNKNOWN[:3]:
            await slack.wait_for_ack(await slack.send_slash_command(arxiv_id, command="/explain"))
        await until(lambda: gate.waiting == 2 and len(slack.responses()) == 1, "a third /explain refused")
        button = await slack.click(
            f"paperboy_explain:{UNKNOWN[3]}", UNKNOWN[3], message_ts="1770000001.000100"
        )
        await slack.wait_for_ack(button)
        (ephemeral,) = await slack.wait_until(lambda: slack.calls("chat.postEphemeral"))
        (refused,) = slack.responses()
    await bot.idle()

    assert refused["response_type"] == "ephemeral" and BUSY in refused["text"]
    assert ephemeral.data["user"] == "U0ADA" and BUSY in ephemeral.data["text"]
    assert ephemeral.data["channel"] == CHANNEL
    assert not any("being looked up" in str(post) for post in slack.posts())  # the channel saw nothing
    asked = [r.query.get("id_list") for r in bot.fake_arxiv.requests_to("/api/query")]
    assert UNKNOWN[2] not in asked and UNKNOWN[3] not in asked
