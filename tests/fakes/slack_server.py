"""A fake Slack on 127.0.0.1: the Web API under /api/, the Socket Mode WebSocket and response_url.

    async with FakeSlack() as slack:
        settings = Settings(slack_api_url=slack.api_url, ...)
        envelope = await slack.send_slash_command("subscribe convergence")
        ack = await slack.wait_for_ack(envelope)

It records every Web API call (with its arguments), every Socket Mode acknowledgement and every
response_url post, and can be told to answer 429 or a channel error, or to never answer one call
(`hold_call`), so a test can kill the bot at that moment. `conversations.history` returns the
accepted top-level posts, newest first, with their metadata when asked for it.

Like the real Slack (evidence in `slack_rules`), it refuses blocks beyond Block Kit's limits
(`invalid_blocks`) and a chat.postMessage whose blocks hold more than 12,000 characters in all
(`msg_blocks_too_long`; response_url posts are exempt), and `limits` can hold chat.postMessage to a
workspace-wide and a per-channel rate, answering 429 with Retry-After beyond them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes import slack_payloads as wire
from tests.fakes.aiohttp_fake import AiohttpFake
from tests.fakes.slack_rules import MAX_BLOCKS_TEXT, PostingLimits, refusal

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-1-fake-app-token"
JSON_FIELDS = {"blocks", "metadata", "attachments"}


@dataclass(slots=True)
class _Hold:
    """A call the fake takes (or drops) and then never answers."""

    method: str
    nth: int
    accept: bool
    match: Callable[[dict[str, Any]], bool]
    held: asyncio.Event = field(default_factory=asyncio.Event)
    seen: int = 0


@dataclass(frozen=True, slots=True)
class Recorded:
    """One thing the fake received: an API call, an acknowledgement, or a response_url post."""

    kind: str  # the API method, "ack" or "response"
    data: dict[str, Any]
    at: float  # on the clock the fake was given (the tests' fake clock)
    wall: float  # real monotonic seconds, for what real waiting (Retry-After) must show
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack(AiohttpFake):
    """Slack's Web API, Socket Mode and response_url, served from memory by aiohttp."""

    def __init__(self, *, now: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._now = now
        self.records: list[Recorded] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, str] = {"C0PAPERS": "papers", "C0OTHER": "other"}
        self._rate_limits: dict[str, list[int]] = {}
        self.limits = PostingLimits(now)
        self.blocks_text_limit = MAX_BLOCKS_TEXT  # lower it to play a Slack that counts differently
        self._channel_errors: dict[str, str] = {}
        self._method_errors: dict[str, str] = {}
        self._holds: list[_Hold] = []
        self._released = asyncio.Event()
        self._ts = itertools.count(1)
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self.sent_envelopes: dict[str, dict[str, Any]] = {}
        self._connected = asyncio.Event()
        self.add_user("U0ADA", "ada")

    # Lifecycle

    def add_routes(self, app: web.Application) -> None:
        """The Web API, the Socket Mode WebSocket and response_url."""
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/response/{id}", self._response)

    async def _before_stop(self) -> None:
        """Let held calls end and close the Socket Mode connections."""
        self._released.set()
        for ws in list(self._sockets):
            await ws.close()

    @property
    def api_url(self) -> str:
        """Where SLACK_API_URL should point."""
        return f"{self.url}/api/"

    def response_url(self) -> str:
        """A fresh response_url for a command or a click."""
        return f"{self.url}/response/{next(self._ts)}"

    # Programming the fake

    def add_user(self, user_id: str, name: str, *, admin: bool = False, owner: bool = False) -> None:
        """A workspace member users.info knows."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": wire.TEAM_ID,
            "name": name,
            "is_admin": admin,
            "is_owner": owner,
            "is_bot": False,
            "profile": {"display_name": name, "real_name": name.title()},
        }

    def rate_limit_next(
        self, method: str = "chat.postMessage", *, retry_after: int = 1, times: int = 1
    ) -> None:
        """Answer the next `times` calls of `method` with 429 and this Retry-After."""
        self._rate_limits.setdefault(method, []).extend([retry_after] * times)

    def fail_channel(self, channel_id: str, error: str = "channel_not_found") -> None:
        """Posts to this channel fail with this Slack error from now on ("" heals it)."""
        if error:
            self._channel_errors[channel_id] = error
        else:
            self._channel_errors.pop(channel_id, None)

    def fail_method(self, method: str, error: str = "missing_scope") -> None:
        """Every call of this method fails with this Slack error from now on ("" heals it)."""
        if error:
            self._method_errors[method] = error
        else:
            self._method_errors.pop(method, None)

    def hold_call(
        self,
        method: str = "chat.postMessage",
        *,
        nth: int = 1,
        accept: bool = True,
        match: Callable[[dict[str, Any]], bool] | None = None,
    ) -> asyncio.Event:
        """Never answer the `nth` call of `method` (among those `match` selects).

        With `accept` the call takes effect first (the message is posted, only the answer is
        lost); without, it never happened. The returned event is set once the call is held.
        """
        hold = _Hold(method, nth, accept, match or (lambda _args: True))
        self._holds.append(hold)
        return hold.held

    # What the fake saw

    def calls(self, kind: str) -> list[Recorded]:
        """Everything recorded of one kind, in order."""
        return [r for r in self.records if r.kind == kind]

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Arguments of every accepted chat.postMessage (to one channel if given)."""
        found = [r.data for r in self.calls("chat.postMessage") if "ts" in r.data]
        return [p for p in found if channel is None or p.get("channel") == channel]

    def refused(self, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        """Arguments of every call of `method` Slack answered with an error (not a 429), with the error."""
        return [r.data for r in self.calls(method) if r.data.get("error")]

    def responses(self) -> list[dict[str, Any]]:
        """Every response_url post."""
        return [r.data for r in self.calls("response")]

    def all_text(self) -> list[str]:
        """Every string the bot sent to Slack in posts, ephemerals, responses and acks."""
        kinds = {"chat.postMessage", "chat.postEphemeral", "chat.update", "response", "ack"}
        found: list[str] = []
        for record in self.records:
            if record.kind in kinds:
                _strings(record.data, found)
        return found

    async def wait_until(self, check: Callable[[], Any], within: float = 5.0) -> Any:
        """Wait (for new records, not by polling) until `check()` is truthy, and return it."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(check), within)
        return check()

    async def wait_for_ack(self, envelope_id: str, within: float = 5.0) -> Recorded:
        """The acknowledgement of one envelope."""

        def find() -> Recorded | None:
            return next((r for r in self.calls("ack") if r.data.get("envelope_id") == envelope_id), None)

        found = await self.wait_until(find, within)
        assert found is not None
        return found

    # Socket Mode: sending envelopes

    async def wait_connected(self, within: float = 5.0) -> None:
        """Wait until the app holds a Socket Mode connection."""
        await asyncio.wait_for(self._connected.wait(), within)

    @property
    def connections(self) -> int:
        """How many Socket Mode connections are open (one per running bot process)."""
        return len(self._sockets)

    async def send_raw(self, frame: str) -> None:
        """Send one text frame as it is (a broken envelope, for tests of what the bot tolerates)."""
        await self.wait_connected()
        await self._sockets[-1].send_str(frame)

    async def send_envelope(
        self, kind: str, payload: Any, *, envelope_id: str = "", connection: int = -1
    ) -> str:
        """Send `slash_commands`, `events_api` or `interactive`; returns the envelope id.

        Slack picks one of the app's open connections for each envelope (a redelivery may go to
        another one): `connection` chooses it, by the order they connected in (-1: the newest).
        """
        await self.wait_connected()
        envelope_id = envelope_id or wire.unique("env-")
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        self.sent_envelopes[envelope_id] = envelope
        await self._sockets[connection].send_str(json.dumps(envelope))
        return envelope_id

    async def send_slash_command(self, text: str, **options: Any) -> str:
        """`/paper <text>` (or `command="/explain"`) typed in a channel."""
        return await self.send_envelope(
            "slash_commands", wire.slash_command(text, response_url=self.response_url(), **options)
        )

    async def send_event(self, event: dict[str, Any]) -> str:
        """An Events API event (mention, message)."""
        return await self.send_envelope("events_api", wire.event_callback(event))

    async def click(self, action_id: str, value: str, *, message_ts: str, **options: Any) -> str:
        """A button click on the message at `message_ts`."""
        payload = wire.block_action(
            action_id, value, message_ts=message_ts, response_url=self.response_url(), **options
        )
        return await self.send_envelope("interactive", payload)

    async def press(self, post: dict[str, Any], action_id: str, **options: Any) -> str:
        """Press the button `action_id` (with or without its `:<paper>` tail) on a posted message.

        As in Slack, only a button the message shows can be pressed: one it lacks fails the test.
        """
        for block in post.get("blocks") or []:
            for element in block.get("elements") or [] if block.get("type") == "actions" else []:
                if element.get("action_id") in (action_id, f"{action_id}:{element.get('value')}"):
                    payload = wire.block_action(
                        element["action_id"],
                        element.get("value", ""),
                        message_ts=post["ts"],
                        response_url=self.response_url(),
                        label=element["text"]["text"],
                        block_id=block.get("block_id", ""),
                        message_blocks=post.get("blocks"),
                        **options,
                    )
                    return await self.send_envelope("interactive", payload)
        raise AssertionError(f"the message at {post.get('ts')} has no button {action_id}")

    async def choose(self, post: dict[str, Any], action_id: str, value: str, **options: Any) -> str:
        """Choose the option `value` of the menu `action_id` (with or without its tail) on a message.

        `post` is a chat.postMessage or chat.postEphemeral the bot made; as in Slack, only an
        option the menu shows can be chosen.
        """
        ephemeral = any(post is call.data for call in self.calls("chat.postEphemeral"))
        for block in post.get("blocks") or []:
            for element in block.get("elements") or [] if block.get("type") == "actions" else []:
                named = str(element.get("action_id", ""))
                if element.get("type") != "static_select" or action_id not in (named, named.split(":")[0]):
                    continue
                for option in element.get("options") or []:
                    if option.get("value") == value:
                        payload = wire.select_action(
                            named,
                            option,
                            message_ts=post["ts"],
                            response_url=self.response_url(),
                            block_id=block.get("block_id", ""),
                            ephemeral=ephemeral,
                            thread_ts=post.get("thread_ts"),
                            **options,
                        )
                        return await self.send_envelope("interactive", payload)
                raise AssertionError(f"the menu {named} offers no {value!r}")
        raise AssertionError(f"the message at {post.get('ts')} has no menu {action_id}")

    async def react(self, post: dict[str, Any], reaction: str, **options: Any) -> str:
        """A member puts an emoji on a posted message (`reaction_added`, needs `reactions:read`)."""
        event = wire.reaction_added(reaction, message_ts=post["ts"], channel_id=post["channel"], **options)
        return await self.send_envelope("events_api", wire.event_callback(event))

    # Serving

    async def _record(self, kind: str, data: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        async with self._changed:
            self.records.append(Recorded(kind, data, self._now(), time.monotonic(), headers or {}))
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        pending = self._rate_limits.get(method)
        retry_after = pending.pop(0) if pending else 0
        if not retry_after and method == "chat.postMessage":
            retry_after = self.limits.retry_after(str(args.get("channel", "")))
        if retry_after:
            await self._record(method, {**args, "rate_limited": True, "retry_after": retry_after})
            body = {"ok": False, "error": "ratelimited"}
            return web.json_response(body, status=429, headers={"Retry-After": str(retry_after)})
        hold = self._hold_for(method, args)
        if hold is not None and not hold.accept:
            await self._record(method, {**args, "held": True})
            await self._hang(hold)
        answer = self._answer(method, args, token)
        outcome = {"ts": answer["ts"]} if "ts" in answer else {}
        if not answer.get("ok"):
            outcome["error"] = answer.get("error", "")
        await self._record(method, {**args, **outcome})
        if hold is not None:
            await self._hang(hold)
        return web.json_response(answer)

    def _hold_for(self, method: str, args: dict[str, Any]) -> _Hold | None:
        for hold in self._holds:
            if hold.method == method and hold.match(args):
                hold.seen += 1
                if hold.seen == hold.nth:
                    self._holds.remove(hold)
                    return hold
        return None

    async def _hang(self, hold: _Hold) -> None:
        hold.held.set()
        await self._released.wait()

    def _answer(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        if method == "apps.connections.open":
            if not token.startswith("xapp-"):
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if not token.startswith("xoxb-") or token == "xoxb-revoked":
            return {"ok": False, "error": "invalid_auth"}
        if method in self._method_errors:
            return {"ok": False, "error": self._method_errors[method]}
        if method == "auth.test":
            return {
                "ok": True,
                "url": f"https://{wire.TEAM_DOMAIN}.slack.com/",
                "team": "Paperboy Test",
                "user": "paperboy",
                "team_id": wire.TEAM_ID,
                "user_id": wire.BOT_USER_ID,
                "bot_id": wire.BOT_ID,
                "is_enterprise_install": False,
            }
        if method in {"chat.postMessage", "chat.postEphemeral", "chat.update"}:
            channel = str(args.get("channel", ""))
            if channel in self._channel_errors:
                return {"ok": False, "error": self._channel_errors[channel]}
            if error := refusal(method, args, self.blocks_text_limit):
                return {"ok": False, "error": error}
            ts = f"{1770000000 + next(self._ts)}.000100"
            key = "message_ts" if method == "chat.postEphemeral" else "ts"
            return {"ok": True, "channel": channel, key: ts, "ts": ts, "message": {"text": args.get("text")}}
        if method == "conversations.history":
            channel = str(args.get("channel", ""))
            if channel in self._channel_errors:
                return {"ok": False, "error": self._channel_errors[channel]}
            return wire.history_page(self.posts(channel), args)
        if method == "users.info":
            user = self.users.get(str(args.get("user", "")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.info":
            name = self.channels.get(str(args.get("channel", "")))
            if name is None:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": {"id": args["channel"], "name": name, "is_channel": True}}
        return {"ok": False, "error": "unknown_method"}

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        hello = {
            "type": "hello",
            "num_connections": len(self._sockets),
            "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
            "connection_info": {"app_id": wire.APP_ID},
        }
        await ws.send_str(json.dumps(hello))
        self._connected.set()
        await self._notify()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await self._record("ack", json.loads(message.data))
        self._sockets.remove(ws)
        if not self._sockets:
            self._connected.clear()
        await self._notify()
        return ws

    async def _notify(self) -> None:
        """Wake `wait_until` for a change that is not a record (a connection opened or closed)."""
        async with self._changed:
            self._changed.notify_all()

    async def _response(self, request: web.Request) -> web.Response:
        await self._record("response", await request.json(), dict(request.headers))
        return web.Response(text="ok")


async def _arguments(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        args.update(await request.json())
    elif request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        for key, value in (await request.post()).items():
            args[key] = json.loads(value) if key in JSON_FIELDS and isinstance(value, str) else value
    return args


def _strings(value: Any, found: list[str]) -> None:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _strings(item, found)
