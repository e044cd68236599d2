"""How many arXiv look-ups one person and one channel may have in flight or queued at once.

Every arXiv request of the deployment passes one gate, one request every 3 seconds: without a
limit, one person asking for twenty papers at once holds everyone else's `explain` for a minute
or more. Beyond the limit a person is answered at once instead of joining the queue. Counted in
this process only: a replica counts its own.
"""

from __future__ import annotations

from collections import Counter
from types import TracebackType
from typing import TypeVar

from bot.domain.channel import Actor, ChannelRef

LOOKUPS_PER_PERSON = 2
LOOKUPS_PER_CHANNEL = 4

K = TypeVar("K")


class LookupsBusy(Exception):
    """A person or a channel already has as many arXiv look-ups going as it may; safe to show."""


class LookupLimits:
    """Counts the look-ups going per person and per channel; 0 means no limit."""

    def __init__(self, per_person: int = LOOKUPS_PER_PERSON, per_channel: int = LOOKUPS_PER_CHANNEL) -> None:
        self.per_person = per_person
        self.per_channel = per_channel
        self._people: Counter[tuple[str, str]] = Counter()
        self._channels: Counter[str] = Counter()

    def slot(self, channel: ChannelRef, actor: Actor) -> LookupSlot:
        """A slot to hold around one arXiv look-up; entering it raises LookupsBusy when full."""
        return LookupSlot(self, (channel.platform, actor.user_id), channel.key)

    def going(self, channel: ChannelRef, actor: Actor | None = None) -> int:
        """Look-ups going now for this person (given) or else this channel."""
        if actor is not None:
            return self._people[(channel.platform, actor.user_id)]
        return self._channels[channel.key]

    @property
    def tracked(self) -> int:
        """People and channels with look-ups going: all the limits keep in memory."""
        return len(self._people) + len(self._channels)

    def _take(self, person: tuple[str, str], channel: str) -> None:
        people, channels = self._people[person], self._channels[channel]
        if self.per_person and people >= self.per_person:
            raise LookupsBusy(
                f"You have {_papers(people)} being looked up on arXiv; try again when "
                f"{'it is' if people == 1 else 'they are'} answered."
            )
        if self.per_channel and channels >= self.per_channel:
            raise LookupsBusy(
                f"This channel has {_papers(channels)} being looked up on arXiv; try again in a moment, "
                f"when {'it is' if channels == 1 else 'they are'} answered."
            )
        self._people[person] += 1
        self._channels[channel] += 1

    def _give_back(self, person: tuple[str, str], channel: str) -> None:
        _decrement(self._people, person)
        _decrement(self._channels, channel)


class LookupSlot:
    """One look-up's place in the limits, taken on entry and given back on exit, whatever happens."""

    def __init__(self, limits: LookupLimits, person: tuple[str, str], channel: str) -> None:
        self._limits = limits
        self._person = person
        self._channel = channel

    async def __aenter__(self) -> None:
        self._limits._take(self._person, self._channel)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._limits._give_back(self._person, self._channel)


def _decrement(counts: Counter[K], key: K) -> None:
    """One fewer; a key at zero is dropped, so memory holds only the look-ups going now."""
    if counts[key] <= 1:
        counts.pop(key, None)
    else:
        counts[key] -= 1


def _papers(count: int) -> str:
    return f"{count} paper{'s' if count != 1 else ''}"
