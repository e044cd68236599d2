"""What services need of a channel's mutes: terms whose papers never come to it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.domain.channel import ChannelRef


class MuteAdded(StrEnum):
    """What `Mutes.add` did."""

    ADDED = "added"
    ALREADY = "already"  # the channel has muted this already
    FULL = "full"  # the channel has as many mutes as it may


class Mutes(Protocol):
    """Add, remove and read the muted terms of channels; the cap holds under any concurrency."""

    async def add(self, ref: ChannelRef, term: str, added_by: str, at: datetime, *, cap: int) -> MuteAdded:
        """Mute a term, unless the channel has already, or has `cap` mutes."""
        ...

    async def remove(self, ref: ChannelRef, term: str) -> bool:
        """Unmute; False when the channel had not muted it."""
        ...

    async def of_channel(self, ref: ChannelRef) -> list[str]:
        """The channel's mutes in the order they were added."""
        ...

    async def of_channels(self, pks: Sequence[int]) -> dict[int, list[str]]:
        """Each channel's mutes by channel primary key; channels without any are left out."""
        ...
