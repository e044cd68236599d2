"""HTTP mode: real requests to Paperboy's aiohttp server, signed (or not) as Slack signs them."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from tests.adapters.slack.conftest import PAPERS, SlackBot
from tests.fakes.slack_payloads import slash_command
from tests.fakes.slack_server import FakeSlack
from tests.support.processes import free_port

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def signed(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack would send with this body."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body),
    }


async def http_bot(make_bot: Any) -> tuple[SlackBot, str]:
    """Paperboy in HTTP mode (signing secret, no app token) and its events URL."""
    port = free_port()
    bot = await make_bot(
        slack_app_token=None,
        slack_signing_secret=SECRET,
        slack_http_host="127.0.0.1",
        slack_port=port,
    )
    return bot, f"http://127.0.0.1:{port}/slack/events"


async def test_a_signed_slash_command_is_served(slack: FakeSlack, make_bot: Any) -> None:
    bot, url = await http_bot(make_bot)
    assert bot.adapter is not None and bot.adapter.http_mode
    body = urlencode(slash_command("subscribe convergence", response_url=slack.response_url()))
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=signed(body)) as answer,
    ):
        assert answer.status == 200
    await bot.idle()
    (told,) = slack.responses()
    assert "Subscribed to `convergence`" in told["text"]
    assert slack.calls("apps.connections.open") == []  # no Socket Mode in HTTP mode


async def test_a_slow_command_is_acknowledged_in_the_http_response(slack: FakeSlack, make_bot: Any) -> None:
    bot, url = await http_bot(make_bot)
    body = urlencode(slash_command("explain 2602.10905", response_url=slack.response_url()))
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=signed(body)) as answer,
    ):
        assert answer.status == 200
        assert await answer.text() == "Reading 2602.10905..."
    await bot.idle()
    assert len(slack.posts("C0PAPERS")) == 1


async def test_a_bad_signature_or_a_stale_timestamp_gets_401(slack: FakeSlack, make_bot: Any) -> None:
    bot, url = await http_bot(make_bot)
    body = urlencode(slash_command("subscribe convergence", response_url=slack.response_url()))
    forged = signed(body, secret="not-the-secret")
    stale = signed(body, timestamp=int(time.time()) - 10 * 60)  # a replay, correctly signed
    async with aiohttp.ClientSession() as session:
        for headers in (forged, stale):
            async with session.post(url, data=body, headers=headers) as answer:
                assert answer.status == 401
        async with session.get(url.replace("/slack/events", "/healthz")) as health:
            assert await health.text() == "ok"
    await bot.idle()
    assert slack.responses() == []
    assert bot.services is not None
    assert await bot.services.repository.distinct_topics() == []


async def test_150_simultaneous_subscribes_leave_the_channel_at_its_50_topic_cap(
    slack: FakeSlack, make_bot: Any
) -> None:
    bot, url = await http_bot(make_bot)

    async def subscribe(n: int, session: aiohttp.ClientSession) -> int:
        body = urlencode(slash_command(f"subscribe topic{n}", response_url=slack.response_url()))
        async with session.post(url, data=body, headers=signed(body)) as answer:
            return answer.status

    connector = aiohttp.TCPConnector(limit=150)
    async with aiohttp.ClientSession(connector=connector) as session:
        statuses = await asyncio.gather(*(subscribe(n, session) for n in range(150)))
    await bot.idle()
    assert statuses == [200] * 150
    assert bot.services is not None
    topics = await bot.services.repository.topics(PAPERS)
    assert len(topics) == 50
    told = [response["text"] for response in slack.responses()]
    assert sum("Subscribed to" in text for text in told) == 50
    assert sum("the most it can" in text for text in told) == 100


async def test_signed_but_malformed_requests_are_dropped_without_detail(
    slack: FakeSlack, make_bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    bot, url = await http_bot(make_bot)
    command = slash_command("subscribe hijack", response_url=slack.response_url())
    no_channel = urlencode({k: v for k, v in command.items() if k != "channel_id"})
    mention = {"type": "app_mention", "text": "<@U0BOT> pause", "ts": "1770000001.000100"}
    event = {"type": "event_callback", "team_id": "T0PAPERS", "event_id": "Ev0BAD1", "event": mention}
    bodies = {
        "a slash command without its channel": (no_channel, "application/x-www-form-urlencoded", 200),
        "a mention without channel or user": (json.dumps(event), "application/json", 200),
        "a JSON list": ("[1, 2, 3]", "application/json", 400),
        "an interaction whose payload is not JSON": (
            "payload=%7Bnot",
            "application/x-www-form-urlencoded",
            400,
        ),
    }
    async with aiohttp.ClientSession() as session:
        for what, (body, content_type, status) in bodies.items():
            headers = {**signed(body), "Content-Type": content_type}
            async with session.post(url, data=body, headers=headers) as answer:
                assert answer.status == status, what
                assert "Traceback" not in await answer.text() and "Error" not in await answer.text()
        valid = urlencode(slash_command("subscribe convergence", response_url=slack.response_url()))
        async with session.post(url, data=valid, headers=signed(valid)) as answer:
            assert answer.status == 200
    await bot.idle()
    (told,) = slack.responses()  # nothing at all for the malformed ones
    assert "Subscribed to `convergence`" in told["text"]
    assert bot.services is not None
    assert await bot.services.repository.distinct_topics() == ["convergence"]
    assert len([r for r in caplog.records if "slack: dropped a malformed" in r.getMessage()]) == 2
    assert len([r for r in caplog.records if "refused an unreadable HTTP request" in r.getMessage()]) == 2


async def test_an_oversized_body_is_refused_before_anything_reads_it(slack: FakeSlack, make_bot: Any) -> None:
    bot, url = await http_bot(make_bot)
    body = urlencode(slash_command("subscribe " + "x" * 3_000_000, response_url=slack.response_url()))
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=signed(body)) as answer,
    ):
        assert answer.status == 413
    await bot.idle()
    assert slack.responses() == []
    assert bot.services is not None and await bot.services.repository.distinct_topics() == []
