"""Malformed Slack payloads over Socket Mode, through the real slack-bolt and slack_sdk: each is logged
and dropped (acknowledged, so Slack does not send it again), nothing is said in the channel, and the
next valid command is answered."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

from tests.adapters.slack.conftest import CHANNEL, SlackBot
from tests.fakes import slack_payloads as wire
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack


def _fresh(payload: dict[str, Any]) -> dict[str, Any]:
    """A deep copy with new request ids, so replay protection does not take it for a repeat."""
    copied = copy.deepcopy(payload)
    for key, prefix in (("trigger_id", "trigger."), ("event_id", "Ev")):
        if key in copied:
            copied[key] = wire.unique(prefix)
    return copied


def _without(payload: dict[str, Any], *path: str) -> dict[str, Any]:
    broken = _fresh(payload)
    holder = broken
    for key in path[:-1]:
        holder = holder[key]
    del holder[path[-1]]
    return broken


def _with(payload: dict[str, Any], value: Any, *path: Any) -> dict[str, Any]:
    broken = _fresh(payload)
    holder = broken
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return broken


def malformed_envelopes(slack: FakeSlack) -> list[tuple[str, Any]]:
    """(envelope type, payload) pairs, each missing a field Paperboy reads or giving it the wrong type."""
    slash = wire.slash_command("subscribe hijack", response_url=slack.response_url())
    mention = wire.event_callback(wire.message_event("<@U0BOT> pause", mention=True))
    reply = wire.event_callback(wire.message_event("why?", thread_ts="1770000001.000100"))
    click = wire.block_action("paperboy_explain:2602.10905", "2602.10905", message_ts="1770000001.000100",
                              response_url=slack.response_url())  # fmt: skip
    return [
        ("slash_commands", _without(slash, "channel_id")),
        ("slash_commands", _without(slash, "user_id")),
        ("slash_commands", _without(slash, "team_id")),
        ("slash_commands", _without(slash, "response_url")),
        ("slash_commands", _with(slash, ["subscribe", "x"], "text")),
        ("slash_commands", _with(slash, 42, "command")),
        ("slash_commands", _with(slash, {"id": "C0PAPERS"}, "channel_id")),
        ("slash_commands", _with(slash, "U" * 5000, "user_id")),
        ("events_api", _without(mention, "event", "channel")),
        ("events_api", _without(mention, "event", "user")),
        ("events_api", _with(mention, {"text": "pause"}, "event", "text")),
        ("events_api", _with(mention, ["1770000001.000100"], "event", "thread_ts")),
        ("events_api", _with(_without(mention, "team_id"), None, "event", "team")),
        ("events_api", _with(mention, "not an event", "event")),
        ("events_api", _with(reply, 7, "event", "user")),
        ("events_api", _with(reply, {"q": "why?"}, "event", "text")),
        ("interactive", _without(click, "actions")),
        ("interactive", _with(click, [], "actions")),
        ("interactive", _with(click, ["paperboy_explain:2602.10905"], "actions")),
        ("interactive", _with(click, 5, "actions", 0, "action_id")),
        ("interactive", _without(_without(click, "channel"), "container")),
        ("interactive", _without(click, "user")),
        ("interactive", _with(click, {"ts": "1"}, "container", "message_ts")),
        ("slash_commands", ["not", "an", "object"]),
        ("events_api", "not an object"),
    ]


async def test_malformed_envelopes_are_dropped_and_the_next_command_is_answered(
    slack: FakeSlack, bot: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    broken = malformed_envelopes(slack)
    with caplog.at_level(logging.INFO):
        envelopes = [await slack.send_envelope(kind, payload) for kind, payload in broken]
        for frame in ("{not json", '{"type": "slash_commands"}', "[1, 2]"):
            await slack.send_raw(frame)
        for envelope in envelopes:
            await slack.wait_for_ack(envelope)  # acknowledged: Slack will not deliver it again
        await bot.idle()

        valid = await slack.send_slash_command("subscribe convergence")
        await slack.wait_for_ack(valid)
        await bot.idle()

    (answer,) = slack.responses()  # the malformed ones got no answer at all, not even an error
    assert "Subscribed to `convergence`" in answer["text"]
    for kind in ("chat.postMessage", "chat.postEphemeral"):
        assert slack.calls(kind) == []
    for envelope in envelopes:
        ack = next(a for a in slack.calls("ack") if a.data["envelope_id"] == envelope)
        assert "payload" not in ack.data  # an empty acknowledgement: no text, no stack trace
    assert bot.services is not None
    channels = await bot.services.repository.all_channels()
    assert [(c.ref.workspace, c.ref.channel_id) for c in channels] == [(wire.TEAM_ID, CHANNEL)]
    assert [t.topic for t in await bot.services.repository.topics(channels[0].ref)] == ["convergence"]
    assert not channels[0].paused  # the broken "@Paperboy pause" did nothing

    dropped = [r for r in caplog.records if "slack: dropped a" in r.getMessage()]
    assert len(dropped) == len(broken)
    for secret in (BOT_TOKEN, APP_TOKEN, "/response/"):
        assert secret not in caplog.text
