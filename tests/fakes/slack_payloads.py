"""Slack's wire payloads as the fake Slack sends them: slash commands, events and button clicks."""

from __future__ import annotations

import itertools
from typing import Any

TEAM_ID = "T0PAPERS"
TEAM_DOMAIN = "paperboy-test"
APP_ID = "A0PAPERBOY"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    """A fresh id such as Ev000012 or 12345.67890."""
    return f"{prefix}{next(_counter):06d}"


def slash_command(
    text: str,
    *,
    response_url: str,
    command: str = "/paper",
    user_id: str = "U0ADA",
    user_name: str = "ada",
    channel_id: str = "C0PAPERS",
    channel_name: str = "papers",
) -> dict[str, Any]:
    """The body Slack sends for `/paper <text>`."""
    return {
        "token": "verification-token-unused",
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": unique("trigger."),
    }


def event_callback(event: dict[str, Any]) -> dict[str, Any]:
    """An Events API envelope around one event."""
    return {
        "token": "verification-token-unused",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": unique("Ev"),
        "event_time": 1770000000,
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        "is_ext_shared_channel": False,
    }


def message_event(
    text: str,
    *,
    user_id: str = "U0ADA",
    channel_id: str = "C0PAPERS",
    thread_ts: str | None = None,
    mention: bool = False,
) -> dict[str, Any]:
    """A person's message (an `app_mention` when `mention`), possibly in a thread."""
    event: dict[str, Any] = {
        "type": "app_mention" if mention else "message",
        "user": user_id,
        "text": text,
        "ts": unique("1770001000."),
        "channel": channel_id,
        "team": TEAM_ID,
        "event_ts": unique("1770001000."),
    }
    if not mention:
        event["channel_type"] = "channel"
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def block_action(
    action_id: str,
    value: str,
    *,
    message_ts: str,
    response_url: str,
    user_id: str = "U0ADA",
    channel_id: str = "C0PAPERS",
    channel_name: str = "papers",
    label: str = "Explain",
    block_id: str = "",
    message_blocks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A button click on a message the bot posted, as Slack sends it to the app.

    Shape from https://docs.slack.dev/reference/interaction-payloads/block_actions-payload/: the
    `actions` entry repeats the pressed element's `action_id`, `block_id`, `text` and `value`
    and adds `type` and `action_ts`; `message` is the message the button is on, blocks included.
    """
    message: dict[str, Any] = {"type": "message", "ts": message_ts, "user": BOT_USER_ID, "bot_id": BOT_ID}
    if message_blocks is not None:
        message["blocks"] = message_blocks
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": "ada", "name": "ada", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": unique("trigger."),
        "channel": {"id": channel_id, "name": channel_name},
        "message": message,
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id or f"paper:{value}",
                "text": {"type": "plain_text", "text": label, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": unique("1770002000."),
            }
        ],
    }


def select_action(
    action_id: str,
    option: dict[str, Any],
    *,
    message_ts: str,
    response_url: str,
    block_id: str,
    ephemeral: bool,
    thread_ts: str | None = None,
    user_id: str = "U0ADA",
    channel_id: str = "C0PAPERS",
    channel_name: str = "papers",
) -> dict[str, Any]:
    """An option chosen in a `static_select` menu, as Slack sends it to the app.

    Shape from https://docs.slack.dev/reference/interaction-payloads/block_actions-payload/ and
    bolt-js's `StaticSelectAction`: the action has `type: static_select`, the chosen
    `selected_option` (`text`, `value`) and no `value` of its own. A menu on an ephemeral message
    comes with `container.is_ephemeral` true and without the `message` (an app can't read or
    update an ephemeral message, https://docs.slack.dev/messaging/modifying-messages); its
    `message_ts` is the ephemeral's own, no message of the channel.
    """
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel_id,
        "is_ephemeral": ephemeral,
    }
    if thread_ts:
        container["thread_ts"] = thread_ts
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": "ada", "name": "ada", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "container": container,
        "trigger_id": unique("trigger."),
        "channel": {"id": channel_id, "name": channel_name},
        "response_url": response_url,
        "actions": [
            {
                "type": "static_select",
                "action_id": action_id,
                "block_id": block_id,
                "selected_option": {"text": dict(option["text"]), "value": option["value"]},
                "action_ts": unique("1770002000."),
            }
        ],
    }
    if not ephemeral:
        payload["message"] = {"type": "message", "ts": message_ts, "user": BOT_USER_ID, "bot_id": BOT_ID}
    return payload


def reaction_added(
    reaction: str,
    *,
    message_ts: str,
    user_id: str = "U0ADA",
    channel_id: str = "C0PAPERS",
    item_user: str = BOT_USER_ID,
) -> dict[str, Any]:
    """A member's emoji on a message, as the `reaction_added` event (inside `event_callback`).

    Shape from https://docs.slack.dev/reference/events/reaction_added/: `user` reacted, `reaction`
    is the emoji's name without colons (👍 is `+1`, its alias `thumbsup`; a skin tone adds
    `::skin-tone-2`), `item` names the message by channel and ts, `item_user` its author. The
    envelope carries the workspace as `team_id`; the event itself has no `team`.
    """
    return {
        "type": "reaction_added",
        "user": user_id,
        "reaction": reaction,
        "item_user": item_user,
        "item": {"type": "message", "channel": channel_id, "ts": message_ts, "channel_type": "channel"},
        "event_ts": unique("1770003000."),
    }


def history_message(post: dict[str, Any], *, with_metadata: bool) -> dict[str, Any]:
    """A message the bot posted, as conversations.history lists it (metadata only when asked for)."""
    message: dict[str, Any] = {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
        "text": post.get("text", ""),
        "blocks": post.get("blocks") or [],
        "ts": post["ts"],
    }
    if with_metadata and post.get("metadata"):
        message["metadata"] = {**post["metadata"], "app_id": APP_ID}
    return message


def history_page(posts: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    """conversations.history over these posts: top-level only (as Slack), newest first, by cursor."""
    oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
    found = [p for p in reversed(posts) if not p.get("thread_ts") and oldest < float(p["ts"]) < latest]
    start, limit = int(args.get("cursor") or 0), int(args.get("limit") or 100)
    more = start + limit < len(found)
    metadata = str(args.get("include_all_metadata", "")).lower() in {"1", "true"}
    return {
        "ok": True,
        "messages": [history_message(p, with_metadata=metadata) for p in found[start : start + limit]],
        "has_more": more,
        "pin_count": 0,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }
