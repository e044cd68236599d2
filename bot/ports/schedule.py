"""When each channel's next digest is due: the schedule as data, which the scheduler's tick reads."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.channel import ChannelRef


@dataclass(frozen=True, slots=True)
class DueDigest:
    """A channel whose digest fell due, when, and whether it was told the digest is late."""

    ref: ChannelRef
    due_at: datetime
    told_late: bool


class DigestTimetable(Protocol):
    """Reads and moves each channel's next digest time, the only schedule there is."""

    async def due(self, now: datetime, platforms: Collection[str]) -> list[DueDigest]:
        """Unpaused channels of these platforms whose digest time has come, the earliest first."""
        ...

    async def reschedule(self, ref: ChannelRef, at: datetime | None) -> None:
        """Set the channel's next digest time (None: no scheduled digest, as when paused)."""
        ...

    async def advance(self, refs: Sequence[ChannelRef], now: datetime) -> None:
        """After a run: each channel's next digest is its first time after `now`."""
        ...

    async def told_late(self, refs: Sequence[ChannelRef], now: datetime) -> None:
        """These channels were told that their due digest is late (so they are told only once)."""
        ...

    async def next_digest_at(self, ref: ChannelRef) -> datetime | None:
        """When the channel's next scheduled digest is due, if one is."""
        ...
