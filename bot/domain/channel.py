"""Who is talking and where: platform-neutral references to channels and people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.quality import NORMAL, Quality
from bot.domain.schedule import Schedule


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel on one platform; `workspace` is a Slack team or a Discord guild."""

    platform: str
    workspace: str
    channel_id: str
    name: str = ""

    @property
    def key(self) -> str:
        """A stable text key, used for scheduler job ids and logs."""
        return f"{self.platform}:{self.workspace}:{self.channel_id}"

    @property
    def label(self) -> str:
        """What a person calls the channel."""
        return f"#{self.name}" if self.name else self.channel_id


@dataclass(frozen=True, slots=True)
class Actor:
    """The person who sent a command, and whether the adapter lets them manage the channel."""

    user_id: str
    display_name: str = ""
    can_manage: bool = True
    why_not: str = ""


def user_key(channel: ChannelRef, actor: Actor) -> str:
    """The person across channels (`slack:U123`, `discord:42`), for their daily LLM allowance.

    A Slack user id holds in every channel of a workspace (and of an Enterprise Grid organisation),
    a Discord user id in every server: one person asking in ten channels is one key.
    """
    return f"{channel.platform}:{actor.user_id}"


@dataclass(frozen=True, slots=True)
class ChannelState:
    """A channel as stored: where it is, when it gets digests, and how far it has read."""

    ref: ChannelRef
    schedule: Schedule
    max_papers: int
    paused: bool
    last_digest_at: datetime | None
    covered_through: date | None
    created_at: datetime | None = None
    quality: Quality = NORMAL  # `settings quality`: how choosy its learned ranking is
