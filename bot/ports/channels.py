"""What services keep about a channel: its settings, its topics and its readers' verdicts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from bot.domain.channel import ChannelRef, ChannelState
from bot.domain.quality import Quality
from bot.domain.replies import TopicEntry
from bot.domain.schedule import Schedule


class ChannelStore(Protocol):
    """Each channel's schedule, cap, pause flag and read mark."""

    async def ensure_channel(self, ref: ChannelRef) -> ChannelState:
        """The channel's state, creating it with the defaults the first time it speaks."""
        ...

    async def get_channel(self, ref: ChannelRef) -> ChannelState | None:
        """The channel's state, or None if it never spoke to us."""
        ...

    async def all_channels(self) -> list[ChannelState]:
        """Every known channel, for the scheduler."""
        ...

    async def update_channel(
        self,
        ref: ChannelRef,
        *,
        schedule: Schedule | None = None,
        paused: bool | None = None,
        max_papers: int | None = None,
        quality: Quality | None = None,
    ) -> ChannelState:
        """Change a channel's schedule, pause flag, cap or quality."""
        ...

    async def mark_digest_done(self, ref: ChannelRef, at: datetime, covered_through: date | None) -> None:
        """Remember when the channel last got a digest and through which announcement day."""
        ...


class TopicAdded(StrEnum):
    """What `add_topic` did."""

    ADDED = "added"
    ALREADY = "already"  # the channel follows this topic already
    FULL = "full"  # the channel follows as many topics as it may


class TopicLookup(Protocol):
    """A channel's topics, in the order they were added (adapters autocomplete from them)."""

    async def topics(self, ref: ChannelRef) -> list[TopicEntry]:
        """The channel's topics in the order they were added, numbered from 1."""
        ...


class Subscriptions(TopicLookup, Protocol):
    """Which topics each channel follows."""

    async def distinct_topics(self) -> list[str]:
        """Every topic some channel follows, once each."""
        ...

    async def add_topic(
        self, ref: ChannelRef, topic: str, added_by: str, *, cap: int | None = None
    ) -> TopicAdded:
        """Subscribe, unless the channel follows this topic already or `cap` topics (under any race)."""
        ...

    async def remove_topic(self, ref: ChannelRef, topic: str) -> bool:
        """Unsubscribe; False when the channel did not follow it."""
        ...


class ChannelBook(ChannelStore, Subscriptions, Protocol):
    """A channel's settings and topics together: what the managing commands change."""
