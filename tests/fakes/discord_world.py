"""The fake Discord's world: one application, one guild, its channels, members and messages,
and the REST answers discord.py needs, as the real API shapes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes import discord_payloads as p
from tests.fakes.discord_rules import INVALID_FORM_BODY, components_acceptable

GUILD_NAME = "ML reading group"


@dataclass(frozen=True, slots=True)
class Recorded:
    """One REST request the fake saw (path without the /api/v10 prefix)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    content_type: str
    at: float


EPHEMERAL = 64
UNKNOWN_MESSAGE = {"message": "Unknown Message", "code": 10008}


@dataclass(slots=True)
class Shown:
    """A message an interaction's answer put on screen, and whether only the invoker sees it."""

    body: dict[str, Any]
    ephemeral: bool
    deleted: bool = False


@dataclass(slots=True)
class Interaction:
    """An injected interaction, what the bot answered to it, and what people were shown.

    `followups` are the requests that sent or edited a message through the interaction's webhook;
    `shown` is what that put on screen, as Discord decides it (see `DiscordWorld._webhook`).
    """

    payload: dict[str, Any]
    sent_at: float
    callbacks: list[Recorded] = field(default_factory=list)
    followups: list[Recorded] = field(default_factory=list)
    deletions: list[Recorded] = field(default_factory=list)
    shown: list[Shown] = field(default_factory=list)
    original: Shown | None = None
    loading: bool = False  # deferred, and the loading message not answered yet

    def visible(self, *, to_everyone: bool) -> list[dict[str, Any]]:
        """The bodies still on screen for everyone in the channel, or only for the invoker."""
        return [m.body for m in self.shown if not m.deleted and m.ephemeral != to_everyone]

    @property
    def id(self) -> str:
        """The interaction id."""
        return str(self.payload["id"])

    @property
    def token(self) -> str:
        """The interaction token (the follow-up webhook's token)."""
        return str(self.payload["token"])


class DiscordWorld:
    """One bot application in one guild with two text channels, a moderator and a plain member."""

    def __init__(self) -> None:
        self.app_id = p.snowflake()
        self.guild_id = p.snowflake()
        self.bot = p.user(self.app_id, "paperboy", bot=True)
        self.moderator = p.member(p.user(p.snowflake(), "mod"), p.MODERATOR_PERMISSIONS)
        self.member = p.member(p.user(p.snowflake(), "reader"), p.MEMBER_PERMISSIONS)
        self.channels: dict[str, dict[str, Any]] = {}
        for position, name in enumerate(("papers", "general")):
            channel = p.text_channel(p.snowflake(), self.guild_id, name, position)
            self.channels[channel["id"]] = channel
        self.papers_channel, self.general_channel = list(self.channels.values())
        self.messages: dict[str, list[dict[str, Any]]] = {}
        # Messages sent through interaction webhooks (follow-ups), newest last: buttons on them work too.
        self.followup_messages: list[dict[str, Any]] = []
        # (channel, nonce) -> message, for posts sent with `enforce_nonce` (Discord keeps them minutes).
        self.nonces: dict[tuple[str, str], dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or a guild id
        self.interactions: dict[str, Interaction] = {}
        # Gateway events a REST call caused (THREAD_CREATE), for the server to send.
        self.events: list[tuple[str, dict[str, Any]]] = []

    @property
    def url(self) -> str:
        """The server's base URL (the server knows it)."""
        raise NotImplementedError

    @property
    def gateway_url(self) -> str:
        """Where `GET /gateway/bot` sends the bot."""
        return self.url.replace("http", "ws", 1) + "/gateway"

    def ready_payload(self, identify: dict[str, Any]) -> dict[str, Any]:
        """READY: who the bot is, which guilds are coming, which shard this is."""
        return {
            "v": 10,
            "user": self.bot,
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "shard": identify.get("shard", [0, 1]),
            "application": {"id": str(self.app_id), "flags": 0},
        }

    def guild_payload(self) -> dict[str, Any]:
        """GUILD_CREATE: the guild with its roles, text channels and members."""
        members = [p.member(self.bot, p.MODERATOR_PERMISSIONS), self.moderator, self.member]
        channels = [c for c in self.channels.values() if c["type"] == p.TEXT_CHANNEL]
        return p.guild(self.guild_id, GUILD_NAME, self.moderator["user"]["id"], channels, members)

    def command_id(self, name: str) -> int:
        """The id Discord gave a registered top-level command."""
        return int(self.command_data(name)["id"])

    def command_data(self, name: str) -> dict[str, Any]:
        """An interaction's `data` naming a registered command (with its guild, for a guild command)."""
        for commands in self.commands.values():
            for command in commands:
                if command["name"] == name:
                    data = {"id": command["id"], "name": name, "type": command.get("type", 1)}
                    if "guild_id" in command:
                        data["guild_id"] = command["guild_id"]
                    return data
        raise AssertionError(f"/{name} was never registered")

    def answer(
        self, method: str, path: str, body: Any, query: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """Status and JSON body for one REST request (the path without /api/v10)."""
        app = str(self.app_id)
        if method in ("POST", "PATCH") and isinstance(body, dict):
            sent = body.get("data") if path.endswith("/callback") else body
            if not components_acceptable(sent):  # see discord_rules
                return 400, INVALID_FORM_BODY
        if method == "GET" and path == "/users/@me":
            return 200, self.bot
        if method == "GET" and path in ("/oauth2/applications/@me", "/applications/@me"):
            return 200, p.application(self.app_id, self.moderator["user"])
        if method == "GET" and path == "/gateway/bot":
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}
        if match := re.fullmatch(rf"/applications/{app}(?:/guilds/(\d+))?/commands", path):
            scope = match[1] or "global"
            if method == "PUT":
                self.commands[scope] = [self._registered(c, match[1]) for c in body]
            return 200, self.commands.get(scope, [])
        if method == "POST" and (match := re.fullmatch(r"/interactions/(\d+)/[^/]+/callback", path)):
            return 200, self._callback(match[1], body)
        if match := re.fullmatch(rf"/webhooks/{app}/([^/]+)(?:/messages/([^/]+))?", path):
            return self._webhook(method, match[1], match[2], body or {})
        if method == "POST" and (match := re.fullmatch(r"/channels/(\d+)/messages", path)):
            if match[1] not in self.channels:
                return 404, {"message": "Unknown Channel", "code": 10003}
            return 200, self._store_once(match[1], body)
        if method == "GET" and (match := re.fullmatch(r"/channels/(\d+)/messages", path)):
            if match[1] not in self.channels:
                return 404, {"message": "Unknown Channel", "code": 10003}
            return 200, self._history(match[1], query or {})
        if method == "POST" and (match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path)):
            return 201, self._start_thread(match[1], match[2], body)
        if method == "GET" and (match := re.fullmatch(r"/channels/(\d+)", path)):
            channel = self.channels.get(match[1])
            return (200, channel) if channel else (404, {"message": "Unknown Channel", "code": 10003})
        if method == "GET" and path == f"/guilds/{self.guild_id}":
            return 200, p.guild(self.guild_id, GUILD_NAME, self.moderator["user"]["id"], [], [])
        return 404, {"message": f"the fake has no {method} {path}", "code": 0}

    def _registered(self, command: dict[str, Any], guild_id: str | None) -> dict[str, Any]:
        registered = {**command, "id": str(p.snowflake()), "application_id": str(self.app_id), "version": "1"}
        if guild_id is not None:
            registered["guild_id"] = guild_id
        return registered

    def _callback(self, interaction_id: str, body: dict[str, Any]) -> dict[str, Any]:
        kind = body["type"]
        data = body.get("data") or {}
        answer: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": self.interactions[interaction_id].payload["type"]
                if interaction_id in self.interactions
                else 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(int(data.get("flags") or 0) & 64),
            }
        }
        if kind in (4, 5):
            message = self._store(self.papers_channel["id"], data if kind == 4 else {}, webhook=True)
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": kind, "message": message}
            handle = self.interactions.get(interaction_id)
            if handle is not None:
                private = bool(int(data.get("flags") or 0) & EPHEMERAL)
                handle.original = Shown(data if kind == 4 else {}, private)
                handle.shown.append(handle.original)
                handle.loading = kind == 5
        return answer

    def _webhook(self, method: str, token: str, target: str | None, body: dict[str, Any]) -> tuple[int, Any]:
        """An interaction's webhook: follow-ups, and edits or deletion of the original response.

        As Discord documents (Create Followup Message, discord-api-docs receiving-and-responding):
        a follow-up sent while the deferred "thinking" message still waits *edits* that message,
        and "the ephemeral flag will be ignored": it keeps the visibility chosen at the deferral
        (staff in discord-api-docs#2735: "You must decide if you want to render the message publicly
        or privately" when deferring). After the original is edited or deleted, a follow-up is a new
        message with its own flags; deleting the deferred message and then following up works
        (discord-api-docs#2739, fixed by Discord). Deleting an original that is gone: 10008.
        """
        handle = next((h for h in self.interactions.values() if h.token == token), None)
        flags = int(body.get("flags") or 0)
        if handle is None:
            return 200, self._store(self.papers_channel["id"], body, webhook=True)
        original = handle.original
        if target == "@original":
            if original is None or original.deleted:
                return 404, UNKNOWN_MESSAGE
            handle.loading = False
            if method == "DELETE":
                original.deleted = True
                return 204, None
            if method == "PATCH":
                original.body = {**original.body, **body}
            edited = {**original.body, "flags": EPHEMERAL if original.ephemeral else 0}
            return 200, self._store(self.papers_channel["id"], edited, webhook=True)
        if method != "POST":
            return 200, self._store(self.papers_channel["id"], body, webhook=True)
        if handle.loading and original is not None:
            handle.loading = False
            original.body = body
            kept = EPHEMERAL if original.ephemeral else 0
            return 200, self._store(self.papers_channel["id"], {**body, "flags": kept}, webhook=True)
        handle.shown.append(Shown(body, bool(flags & EPHEMERAL)))
        return 200, self._store(self.papers_channel["id"], body, webhook=True)

    def _store_once(self, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A channel post; with `enforce_nonce`, a repeated nonce gets the first message back."""
        nonce = str(body.get("nonce") or "")
        if nonce and body.get("enforce_nonce") and (channel_id, nonce) in self.nonces:
            return self.nonces[(channel_id, nonce)]
        message = self._store(channel_id, body)
        if nonce:
            message["nonce"] = nonce
            if body.get("enforce_nonce"):
                self.nonces[(channel_id, nonce)] = message
        return message

    def _history(self, channel_id: str, query: dict[str, str]) -> list[dict[str, Any]]:
        """`GET /channels/{id}/messages`: newest first, at most `limit` (100), before/after an id."""
        limit = min(int(query.get("limit", 50)), 100)
        before, after = int(query.get("before", 0)), int(query.get("after", 0))
        found = [
            {k: v for k, v in m.items() if k != "nonce"}  # history does not echo nonces
            for m in reversed(self.messages.get(channel_id, []))
            if (not before or int(m["id"]) < before) and int(m["id"]) > after
        ]
        return found[:limit] if not after else found[-limit:]

    def _store(self, channel_id: str, body: dict[str, Any], *, webhook: bool = False) -> dict[str, Any]:
        message = p.message(
            p.snowflake(),
            int(channel_id),
            self.bot,
            body,
            guild_id=self.guild_id,
            webhook_id=self.app_id if webhook else None,
        )
        if not webhook:
            self.messages.setdefault(channel_id, []).append(message)
        else:
            self.followup_messages.append(message)
        return message

    def _start_thread(self, channel_id: str, message_id: str, body: dict[str, Any]) -> dict[str, Any]:
        parent = self.channels[channel_id]
        created = p.thread(
            int(message_id), parent, body["name"], self.app_id, int(body.get("auto_archive_duration", 1440))
        )
        self.channels[created["id"]] = created
        self.events.append(("THREAD_CREATE", {**created, "newly_created": True}))
        return created
