"""A fake Discord on 127.0.0.1: REST under /api/v10 and a Gateway WebSocket, for the real discord.py.

    async with FakeDiscord() as fake:
        discord.http.Route.BASE = fake.api_url       # the adapter does this from DISCORD_API_URL
        ...  # start the bot; then
        handle = await fake.slash("paper", "subscribe", topic="convergence")
        await fake.wait_for(lambda: handle.followups)

It records every request (method, path, JSON body, Content-Type) and every message it stores,
and injects INTERACTION_CREATE events (slash commands, autocomplete, button presses). What
discord.py 2.7 insists on, and the fake therefore does:
- JSON answers carry `Content-Type: application/json` exactly (with a charset they are read as text);
- interaction callbacks come with `?with_response=1` and want a 200 JSON body;
- a 429 counts as a rate limit (waited out and retried) only with a `Via` header, else as a ban;
- AutoShardedClient connects wherever `GET /gateway/bot` says; plain text frames are accepted even
  though it asks for `compress=zlib-stream`.

As Discord does, the gateway answers IDENTIFY with READY (the guilds listed as unavailable), then
one GUILD_CREATE per guild; discord.py fires `on_ready` only once every guild has arrived (plus its
`guild_ready_timeout`). Interactions are delivered from READY on, so a command typed while the bot
restarts reaches it before `on_ready`: `slash(..., on_connect=True)` sends one right after READY,
before GUILD_CREATE. Command registrations (bulk overwrites, `PUT .../commands`) are counted in
`command_overwrites`, since Discord rate limits them.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes import discord_payloads as p
from tests.fakes.aiohttp_fake import AiohttpFake
from tests.fakes.discord_world import DiscordWorld, Interaction, Recorded

API_PREFIX = "/api/v10"
HEARTBEAT_INTERVAL_MS = 41_250
GATEWAY_OPS = {"DISPATCH": 0, "HEARTBEAT": 1, "IDENTIFY": 2, "HELLO": 10, "HEARTBEAT_ACK": 11}


@dataclass(frozen=True, slots=True)
class _Fault:
    method: str
    path: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class FakeDiscord(AiohttpFake, DiscordWorld):
    """The world served over HTTP and a WebSocket, recording what the bot sends."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Recorded] = []
        self.identify: dict[str, Any] | None = None
        self.heartbeats = 0
        self._faults: list[_Fault] = []
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = 0
        self._changed = asyncio.Condition()
        # Gateway events to send right after the next READY, before the guilds arrive.
        self._after_ready: list[tuple[str, dict[str, Any]]] = []

    # Lifecycle

    def add_routes(self, app: web.Application) -> None:
        """The Gateway WebSocket and every REST path under /api/v10."""
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{path:.*}", self._rest)

    async def _before_stop(self) -> None:
        """Close the shards' sockets."""
        for socket in list(self._sockets):
            await socket.close()

    @property
    def api_url(self) -> str:
        """What DISCORD_API_URL should be."""
        return self.url + API_PREFIX

    # Faults and observation

    def fail_next(
        self,
        method: str,
        path: str,
        status: int,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next `method` request whose path matches the regex `path` with this error."""
        body = body or {"message": "Missing Access", "code": 50001}
        self._faults.append(_Fault(method, re.compile(path), status, body, headers or {}))

    def rate_limit_next(self, method: str, path: str, retry_after: float = 0.05) -> None:
        """A 429 as Discord sends it (discord.py retries only when a `Via` header is present)."""
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        headers = {"Via": "1.1 google", "Retry-After": str(retry_after), "X-RateLimit-Scope": "user"}
        self.fail_next(method, path, 429, body, headers)

    @property
    def command_overwrites(self) -> int:
        """How many times the bot registered its commands (global or per guild)."""
        return len(self.requests_to("PUT", r"/applications/\d+(/guilds/\d+)?/commands"))

    def requests_to(self, method: str, pattern: str) -> list[Recorded]:
        """Requests with this method whose path matches the regex `pattern`."""
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    def message_bodies(self) -> list[dict[str, Any]]:
        """Every message the bot sent or edited: channel posts, callbacks, follow-ups."""
        bodies = []
        for request in self.requests:
            if request.method not in ("POST", "PATCH") or not isinstance(request.body, dict):
                continue
            if re.fullmatch(r"/channels/\d+/messages", request.path) or request.path.startswith("/webhooks/"):
                bodies.append(request.body)
            elif request.path.endswith("/callback") and request.body.get("type") in (4, 7):
                bodies.append(request.body.get("data") or {})
        return bodies

    async def wait_for(self, condition: Callable[[], Any], within: float = 5.0) -> Any:
        """Wait until `condition()` is truthy (re-checked on every request); return its value."""
        async with self._changed:
            return await asyncio.wait_for(self._changed.wait_for(condition), within)

    # Injecting events

    async def slash(
        self,
        command: str,
        subcommand: str | None = None,
        *,
        user: dict[str, Any] | None = None,
        channel: dict[str, Any] | None = None,
        on_connect: bool = False,
        **options: str,
    ) -> Interaction:
        """Someone runs `/command [subcommand] option:value ...` (string options).

        With `on_connect`, it reaches the bot right after the gateway's next READY (a restart).
        """
        values = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
        if subcommand is not None:
            values = [{"name": subcommand, "type": 1, "options": values}]
        data = {**self.command_data(command), "options": values}
        return await self._interact(2, data, user, channel, on_connect=on_connect)

    async def autocomplete(
        self,
        command: str,
        subcommand: str,
        option: str,
        typed: str,
        *,
        user: dict[str, Any] | None = None,
        channel: dict[str, Any] | None = None,
    ) -> Interaction:
        """Someone types `typed` into an option that offers suggestions."""
        focused = {"name": option, "type": 3, "value": typed, "focused": True}
        values = [{"name": subcommand, "type": 1, "options": [focused]}]
        data = {**self.command_data(command), "options": values}
        return await self._interact(4, data, user, channel)

    async def click(
        self, message: dict[str, Any], custom_id: str, *, user: dict[str, Any] | None = None
    ) -> Interaction:
        """Someone presses the button `custom_id` on a message the bot posted.

        As in Discord, only a button the message shows can be pressed: the MESSAGE_COMPONENT
        interaction carries that component's `custom_id` and `component_type` 2 (discord-api-docs,
        "Interactions > Receiving and Responding", message component data); a test that presses a
        button the message lacks fails here.
        """
        shown = [b.get("custom_id") for row in message.get("components") or [] for b in row["components"]]
        if custom_id not in shown:
            raise AssertionError(f"message {message.get('id')} has no button {custom_id}; it shows {shown}")
        channel = self.channels[message["channel_id"]]
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(3, data, user, channel, message)

    async def choose(
        self, message: dict[str, Any], custom_id: str, value: str, *, user: dict[str, Any] | None = None
    ) -> Interaction:
        """Someone picks the option `value` in the select menu `custom_id` of a message the bot sent.

        The MESSAGE_COMPONENT interaction carries `component_type` 3 and the chosen `values`
        (discord-api-docs, message component data); only an option the menu shows can be chosen.
        """
        menus = [c for row in message.get("components") or [] for c in row["components"] if c["type"] == 3]
        menu = next((m for m in menus if m.get("custom_id") == custom_id), None)
        if menu is None:
            raise AssertionError(f"message {message.get('id')} has no menu {custom_id}")
        if value not in [option["value"] for option in menu["options"]]:
            raise AssertionError(f"the menu {custom_id} offers no {value!r}")
        channel = self.channels[message["channel_id"]]
        data = {"custom_id": custom_id, "component_type": 3, "values": [value]}
        return await self._interact(3, data, user, channel, message)

    def slash_payload(self, command: str, subcommand: str | None = None, **options: str) -> dict[str, Any]:
        """The INTERACTION_CREATE payload of `/command [subcommand] option:value`, not sent.

        Tests break a copy of it to play a malformed event (`dispatch` sends it as it is).
        """
        values = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
        if subcommand is not None:
            values = [{"name": subcommand, "type": 1, "options": values}]
        data = {**self.command_data(command), "options": values}
        return self._interaction_payload(2, data, None, None)

    def _interaction_payload(
        self,
        kind: int,
        data: dict[str, Any],
        user: dict[str, Any] | None,
        channel: dict[str, Any] | None,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return p.interaction(
            kind,
            data,
            app_id=self.app_id,
            guild_id=self.guild_id,
            channel=channel or self.papers_channel,
            member_payload=user or self.moderator,
            message_payload=message,
        )

    async def _interact(
        self,
        kind: int,
        data: dict[str, Any],
        user: dict[str, Any] | None,
        channel: dict[str, Any] | None,
        message: dict[str, Any] | None = None,
        *,
        on_connect: bool = False,
    ) -> Interaction:
        payload = self._interaction_payload(kind, data, user, channel, message)
        handle = Interaction(payload, asyncio.get_running_loop().time())
        self.interactions[handle.id] = handle
        if on_connect:
            self._after_ready.append(("INTERACTION_CREATE", payload))
        else:
            await self.dispatch("INTERACTION_CREATE", payload)
        return handle

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to every connected shard."""
        if not self._sockets:
            raise RuntimeError("no bot is connected to the fake gateway")
        for socket in list(self._sockets):
            await self._send(socket, event, data)

    # Gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json(
            {"op": GATEWAY_OPS["HELLO"], "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
        )
        try:
            async for frame in socket:
                if frame.type is not WSMsgType.TEXT:
                    break
                message = json.loads(frame.data)
                if message["op"] == GATEWAY_OPS["HEARTBEAT"]:
                    self.heartbeats += 1
                    await socket.send_json({"op": GATEWAY_OPS["HEARTBEAT_ACK"]})
                elif message["op"] == GATEWAY_OPS["IDENTIFY"]:
                    self.identify = message["d"]
                    await self._ready(socket, message["d"])
        finally:
            self._sockets.remove(socket)
        return socket

    async def _ready(self, socket: web.WebSocketResponse, identify: dict[str, Any]) -> None:
        await self._send(socket, "READY", self.ready_payload(identify))
        while self._after_ready:
            await self._send(socket, *self._after_ready.pop(0))
        await self._send(socket, "GUILD_CREATE", self.guild_payload())

    async def _send(self, socket: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        self._sequence += 1
        await socket.send_json({"op": GATEWAY_OPS["DISPATCH"], "t": event, "s": self._sequence, "d": data})

    # REST

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        raw = await request.read()
        content_type = request.headers.get("Content-Type", "")
        body = json.loads(raw) if raw and content_type == "application/json" else None
        record = Recorded(request.method, path, dict(request.query), body, content_type, _now())
        fault = next((f for f in self._faults if f.method == request.method and f.path.fullmatch(path)), None)
        if fault is not None:
            self._faults.remove(fault)
            await self._record(record)
            return _json(fault.body, fault.status, fault.headers)
        status, answer = self.answer(request.method, path, body, dict(request.query))
        await self._record(record)
        while self.events:
            await self.dispatch(*self.events.pop(0))
        return _json(answer, status)

    async def _record(self, record: Recorded) -> None:
        async with self._changed:
            self.requests.append(record)
            match = re.fullmatch(r"/interactions/(\d+)/[^/]+/callback", record.path)
            if match and match[1] in self.interactions:
                self.interactions[match[1]].callbacks.append(record)
            match = re.fullmatch(rf"/webhooks/{self.app_id}/([^/]+)(/messages/.+)?", record.path)
            if match:
                for handle in self.interactions.values():
                    if handle.token == match[1]:
                        kept = handle.deletions if record.method == "DELETE" else handle.followups
                        kept.append(record)
            self._changed.notify_all()


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    if status == 204:
        return web.Response(status=204, headers=headers)
    # Built from bytes so aiohttp adds no `; charset=utf-8`: discord.py wants the bare type.
    response = web.Response(body=json.dumps(data).encode(), status=status, headers=headers)
    response.headers["Content-Type"] = "application/json"
    return response


def _now() -> float:
    return asyncio.get_running_loop().time()
