"""Who may manage a channel's subscriptions and schedule, and what people and channels are called."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from cachetools import TTLCache

from bot.domain.channel import Actor

log = logging.getLogger(__name__)
CACHE_SECONDS = 300.0
# People and channels remembered at once; the oldest go first, so months of new faces cost nothing.
CACHE_ENTRIES = 10_000
NOT_ADMIN = (
    "Only workspace admins and owners can change this channel's topics and schedule here. "
    "Ask one of them; `preview`, `explain` and `ask` work for everyone."
)
NOT_LISTED = (
    "Only the people Paperboy's operator listed (SLACK_MANAGERS) can change this channel's topics "
    "and schedule. Ask one of them; `preview`, `explain` and `ask` work for everyone."
)
NOT_CHECKED = (
    "I couldn't check whether you are a workspace admin (Slack didn't answer users.info), so I "
    "can't change this channel's topics or schedule right now. Try again in a minute."
)


class SlackUsersApi(Protocol):
    """The two Web API calls this module makes (slack_sdk's AsyncWebClient has them)."""

    async def users_info(self, *, user: str) -> Any:
        """users.info."""
        ...

    async def conversations_info(self, *, channel: str) -> Any:
        """conversations.info."""
        ...


@dataclass(frozen=True, slots=True)
class ManagerPolicy:
    """SLACK_MANAGERS read once: "everyone", "admins", or a list of user ids."""

    everyone: bool = True
    admins: bool = False
    user_ids: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, setting: str) -> ManagerPolicy:
        """`everyone` (default), `admins`, or `U01,U02`."""
        value = setting.strip()
        if value.lower() in {"", "everyone", "all"}:
            return cls()
        if value.lower() in {"admins", "admin"}:
            return cls(everyone=False, admins=True)
        return cls(everyone=False, user_ids=frozenset(p.strip() for p in value.split(",") if p.strip()))


class SlackDirectory:
    """users.info and conversations.info, cached briefly, turned into Actors and channel names."""

    def __init__(
        self,
        client: SlackUsersApi,
        policy: ManagerPolicy,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._client = client
        self._policy = policy
        self._users: TTLCache[str, dict[str, Any]] = TTLCache(CACHE_ENTRIES, CACHE_SECONDS, timer=monotonic)
        self._channels: TTLCache[str, str] = TTLCache(CACHE_ENTRIES, CACHE_SECONDS, timer=monotonic)

    @property
    def cached(self) -> int:
        """People and channels held in memory right now."""
        return len(self._users) + len(self._channels)

    async def actor(self, user_id: str, name_hint: str = "") -> Actor:
        """The person, with whether they may manage the channel and, if not, why."""
        needs_profile = self._policy.admins or not name_hint
        user = await self._user(user_id) if needs_profile else None
        name = name_hint or _display_name(user) or user_id
        if self._policy.everyone:
            return Actor(user_id, name, can_manage=True)
        if self._policy.admins:
            if user is None:
                return Actor(user_id, name, can_manage=False, why_not=NOT_CHECKED)
            admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
            return Actor(user_id, name, can_manage=admin, why_not="" if admin else NOT_ADMIN)
        listed = user_id in self._policy.user_ids
        return Actor(user_id, name, can_manage=listed, why_not="" if listed else NOT_LISTED)

    async def channel_name(self, channel_id: str) -> str:
        """A channel's name for settings and logs ("" if Slack won't say)."""
        cached = self._channels.get(channel_id)
        if cached is not None:
            return cached
        try:
            response = await self._client.conversations_info(channel=channel_id)
            name = str(response["channel"].get("name", ""))
        except Exception as error:
            log.info("slack: conversations.info for %s failed: %s", channel_id, error)
            name = ""
        self._channels[channel_id] = name
        return name

    async def _user(self, user_id: str) -> dict[str, Any] | None:
        cached = self._users.get(user_id)
        if cached is not None:
            return cached
        try:
            response = await self._client.users_info(user=user_id)
            user = dict(response["user"])
        except Exception as error:
            log.warning("slack: users.info for %s failed: %s", user_id, error)
            return None  # not cached: the next command asks again
        self._users[user_id] = user
        return user


def _display_name(user: dict[str, Any] | None) -> str:
    if not user:
        return ""
    profile = user.get("profile") or {}
    return str(profile.get("display_name") or profile.get("real_name") or user.get("name") or "")
