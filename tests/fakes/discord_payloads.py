"""Discord API objects as the real API sends them (the fields discord.py 2.x reads), for the fake."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
_counter = itertools.count(1)

# Permission bits (https://discord.com/developers/docs/topics/permissions).
MANAGE_CHANNELS = 1 << 4
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
MEMBER_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
MODERATOR_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_CHANNELS

TEXT_CHANNEL, PUBLIC_THREAD = 0, 11


def snowflake() -> int:
    """A fresh id whose timestamp is now, as Discord makes them (interactions expire by it)."""
    return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(_counter) % 4096)


def timestamp() -> str:
    """Now, in Discord's ISO format."""
    return datetime.now(UTC).isoformat()


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A user object."""
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
    }


def member(user_payload: dict[str, Any], permissions: int) -> dict[str, Any]:
    """A guild member as interactions carry it, with resolved channel permissions."""
    return {
        "user": user_payload,
        "nick": None,
        "roles": [],
        "joined_at": timestamp(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "permissions": str(permissions),
    }


def application(app_id: int, owner: dict[str, Any]) -> dict[str, Any]:
    """`GET /oauth2/applications/@me`."""
    return {
        "id": str(app_id),
        "name": "Paperboy",
        "icon": None,
        "description": "arXiv papers for team channels",
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": owner,
        "verify_key": "0" * 64,
        "flags": 0,
        "team": None,
    }


def text_channel(channel_id: int, guild_id: int, name: str, position: int) -> dict[str, Any]:
    """A guild text channel."""
    return {
        "id": str(channel_id),
        "type": TEXT_CHANNEL,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "parent_id": None,
        "rate_limit_per_user": 0,
    }


def thread(thread_id: int, parent: dict[str, Any], name: str, owner_id: int, archive: int) -> dict[str, Any]:
    """A public thread started from a message (its id is the message's id)."""
    return {
        "id": str(thread_id),
        "type": PUBLIC_THREAD,
        "guild_id": parent["guild_id"],
        "parent_id": parent["id"],
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": archive,
            "archive_timestamp": timestamp(),
            "locked": False,
        },
    }


def role(role_id: int, name: str, permissions: int) -> dict[str, Any]:
    """A role (the @everyone role has the guild's id)."""
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "hoist": False,
        "position": 0,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def guild(
    guild_id: int,
    name: str,
    owner_id: int,
    channels: list[dict[str, Any]],
    members: list[dict[str, Any]],
) -> dict[str, Any]:
    """A GUILD_CREATE payload: the guild with its roles, channels and members."""
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": str(owner_id),
        "unavailable": False,
        "member_count": len(members),
        "large": False,
        "features": [],
        "roles": [role(guild_id, "@everyone", MEMBER_PERMISSIONS)],
        "emojis": [],
        "stickers": [],
        "channels": channels,
        "threads": [],
        "members": [{k: v for k, v in m.items() if k != "permissions"} for m in members],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "joined_at": timestamp(),
    }


def message(
    message_id: int,
    channel_id: int,
    author: dict[str, Any],
    body: dict[str, Any],
    *,
    guild_id: int | None = None,
    webhook_id: int | None = None,
) -> dict[str, Any]:
    """The message the API returns for a posted body (content, embeds, components echoed)."""
    payload: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "type": 0,
        "author": author,
        "content": body.get("content") or "",
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": timestamp(),
        "edited_timestamp": None,
        "flags": int(body.get("flags") or 0),
    }
    if guild_id is not None:
        payload["guild_id"] = str(guild_id)
    if webhook_id is not None:
        payload["webhook_id"] = str(webhook_id)
        payload["application_id"] = str(webhook_id)
    return payload


def interaction(
    kind: int,
    data: dict[str, Any],
    *,
    app_id: int,
    guild_id: int,
    channel: dict[str, Any],
    member_payload: dict[str, Any],
    message_payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: 2 a slash command, 3 a component, 4 autocomplete."""
    payload: dict[str, Any] = {
        "id": str(snowflake()),
        "application_id": str(app_id),
        "type": kind,
        "token": f"interaction-token-{next(_counter)}",
        "version": 1,
        "guild_id": str(guild_id),
        "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
        "channel_id": channel["id"],
        "channel": channel,
        "member": member_payload,
        "data": data,
        "locale": "en-US",
        "guild_locale": "en-US",
        "app_permissions": str(MODERATOR_PERMISSIONS),
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if message_payload is not None:
        payload["message"] = message_payload
    return payload
