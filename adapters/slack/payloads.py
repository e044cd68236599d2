"""Slack payloads checked at the edge: the fields Paperboy reads, with their types, or MalformedPayload.

Slack sends well-formed payloads, but whatever reaches the handlers (a proxy, a replayed or edited
request, a Slack change) must not raise deep inside a handler: a payload that lacks the channel,
the user or the action, or carries them with the wrong type, is refused here, once, and the
handler logs and drops it. Ids are bounded and plain, so they fit the database's columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack import translate
from bot.domain.channel import ChannelRef

_ID = re.compile(r"[A-Za-z0-9]{1,64}")
_TS = re.compile(r"\d{1,20}(?:\.\d{1,10})?")
MAX_TEXT = 40_000  # Slack's own limit on a message's text
MAX_NAME = 200


class MalformedPayload(ValueError):
    """A Slack payload without a field Paperboy needs, or with a field of the wrong type."""


@dataclass(frozen=True, slots=True)
class SlashRequest:
    """A slash command: which, with what text, typed by whom, in which channel."""

    command: str
    text: str
    channel: ChannelRef
    user_id: str
    user_name: str


@dataclass(frozen=True, slots=True)
class MessageRequest:
    """A mention or a channel message: who said what, where, and in which thread."""

    channel: ChannelRef
    user_id: str
    text: str
    ts: str
    thread_ts: str | None


@dataclass(frozen=True, slots=True)
class ButtonRequest:
    """A button pressed on one of Paperboy's messages."""

    channel: ChannelRef
    user_id: str
    user_name: str
    action_id: str
    value: str
    thread_ts: str | None


def slash_request(payload: Any) -> SlashRequest:
    """The slash command in `payload` (the body Slack posts for `/paper ...`)."""
    body = _mapping(payload, "the slash command")
    command = _text(body, "command", required=True)
    if not command.startswith("/") or len(command) > 40:
        raise MalformedPayload("`command` is not a slash command")
    if not _text(body, "response_url", required=True).startswith(("https://", "http://")):
        raise MalformedPayload("`response_url` is not a URL")  # every answer goes there
    channel = translate.channel_ref(
        _id(body, "team_id"), _id(body, "channel_id"), _text(body, "channel_name")[:MAX_NAME]
    )
    return SlashRequest(
        command, _text(body, "text"), channel, _id(body, "user_id"), _text(body, "user_name")[:MAX_NAME]
    )


def message_request(body: Any, event: Any) -> MessageRequest:
    """The mention or message in an Events API `event` (events carry no channel name)."""
    outer = _mapping(body, "the event callback")
    inner = _mapping(event, "the event")
    team = outer.get("team_id") or inner.get("team")
    if not isinstance(team, str) or not _ID.fullmatch(team):
        raise MalformedPayload("the event names no workspace (`team_id`)")
    channel = translate.channel_ref(team, _id(inner, "channel"))
    thread_ts = _ts(inner, "thread_ts") if inner.get("thread_ts") is not None else None
    return MessageRequest(channel, _id(inner, "user"), _text(inner, "text"), _ts(inner, "ts"), thread_ts)


def button_request(body: Any, action: Any) -> ButtonRequest:
    """The pressed button in a `block_actions` payload, and the message (channel, thread) it is on."""
    outer = _mapping(body, "the interaction")
    pressed = _mapping(action, "the action")
    user = _mapping(outer.get("user"), "`user`")
    team = _mapping(outer.get("team") or {}, "`team`").get("id") or user.get("team_id")
    if not isinstance(team, str) or not _ID.fullmatch(team):
        raise MalformedPayload("the interaction names no workspace (`team.id`)")
    channel = _mapping(outer.get("channel") or {}, "`channel`")
    container = _mapping(outer.get("container") or {}, "`container`")
    channel_id = channel.get("id") or container.get("channel_id")
    if not isinstance(channel_id, str) or not _ID.fullmatch(channel_id):
        raise MalformedPayload("the interaction names no channel (`channel.id`)")
    name = channel.get("name")
    ref = translate.channel_ref(team, channel_id, name[:MAX_NAME] if isinstance(name, str) else "")
    # An ephemeral message's ts names no message of the channel: only its thread, if any, is one.
    ephemeral = container.get("is_ephemeral") is True
    thread_ts = container.get("thread_ts") or (None if ephemeral else container.get("message_ts"))
    if thread_ts is not None and (not isinstance(thread_ts, str) or not _TS.fullmatch(thread_ts)):
        raise MalformedPayload("`container.message_ts` is not a Slack timestamp")
    return ButtonRequest(
        ref,
        _id(user, "id"),
        _text(user, "username")[:MAX_NAME],
        _text(pressed, "action_id", required=True)[:MAX_NAME],
        _chosen(pressed)[:MAX_NAME],
        thread_ts,
    )


def _chosen(pressed: Mapping[str, Any]) -> str:
    """A button's value, or the value of the option chosen in a menu ("" when it was cleared)."""
    if pressed.get("type") != "static_select":
        return _text(pressed, "value")
    selected = pressed.get("selected_option")
    if selected is None:  # Slack sends null when the chosen option is cleared
        return ""
    return _text(_mapping(selected, "`selected_option`"), "value", required=True)


@dataclass(frozen=True, slots=True)
class ReactionRequest:
    """An emoji a member put on a message: who, which emoji, on which message."""

    channel: ChannelRef
    user_id: str
    reaction: str
    message_ts: str


def reaction_request(body: Any, event: Any) -> ReactionRequest:
    """The `reaction_added` event in an Events API envelope; reactions to files are refused."""
    outer = _mapping(body, "the event callback")
    inner = _mapping(event, "the event")
    item = _mapping(inner.get("item"), "`item`")
    if item.get("type") != "message":
        raise MalformedPayload("the reaction is not on a message")
    team = outer.get("team_id")
    if not isinstance(team, str) or not _ID.fullmatch(team):
        raise MalformedPayload("the event names no workspace (`team_id`)")
    channel = translate.channel_ref(team, _id(item, "channel"))
    reaction = _text(inner, "reaction", required=True)[:MAX_NAME]
    return ReactionRequest(channel, _id(inner, "user"), reaction, _ts(item, "ts"))


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedPayload(f"{what} is not an object")
    return value


def _id(payload: Mapping[str, Any], field: str) -> str:
    value = payload.get(field)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise MalformedPayload(f"`{field}` is missing or not a Slack id")
    return value


def _ts(payload: Mapping[str, Any], field: str) -> str:
    value = payload.get(field)
    if not isinstance(value, str) or not _TS.fullmatch(value):
        raise MalformedPayload(f"`{field}` is missing or not a Slack timestamp")
    return value


def _text(payload: Mapping[str, Any], field: str, *, required: bool = False) -> str:
    value = payload.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise MalformedPayload(f"`{field}` is missing or not text")
    if len(value) > MAX_TEXT:
        raise MalformedPayload(f"`{field}` is longer than Slack allows")
    return value
