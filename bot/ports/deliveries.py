"""The delivery ledger: which papers each channel has, claimed before posting and confirmed after.

Exactly once per (channel, paper): a claim is written before a post and confirmed after it, and
no two runs hold the same (channel, paper) claim. The batch port answers the same questions for
many channels at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.domain.channel import ChannelRef, ChannelState
from bot.domain.paper import Paper


@dataclass(frozen=True, slots=True)
class PendingClaim:
    """A paper claimed for a channel by a run that has not confirmed its post."""

    channel: ChannelRef
    arxiv_id: str
    run_id: str


class ThreadLookup(Protocol):
    """Which paper a posted message is, so a reply in its thread can ask about it."""

    async def paper_for_message(self, ref: ChannelRef, message_ref: str) -> str | None:
        """The paper a posted digest item is, by the platform's message id."""
        ...


class DeliveryLedger(Protocol):
    """Claims, confirmations and counts of one channel's deliveries."""

    async def delivered_ids(self, ref: ChannelRef, ids: Iterable[str]) -> set[str]:
        """Which of these papers the channel already has (or is being sent)."""
        ...

    async def record_intent(self, ref: ChannelRef, papers: Sequence[Paper], run_id: str) -> list[str]:
        """Claim papers for a channel before posting; returns the ids this run may post."""
        ...

    async def confirm_delivery(self, ref: ChannelRef, arxiv_id: str, message_ref: str) -> None:
        """The platform accepted the post: the paper is delivered."""
        ...

    async def release_intent(self, ref: ChannelRef, arxiv_ids: Sequence[str]) -> None:
        """Give back claims whose post failed, so the papers stay due."""
        ...

    async def pending_deliveries(self, ref: ChannelRef | None = None) -> list[PendingClaim]:
        """Claims not yet confirmed (in one channel, or everywhere), oldest first."""
        ...

    async def delivered_since(self, ref: ChannelRef, since: datetime | None) -> int:
        """Papers posted (or still claimed) in the channel after `since` (ever, when None)."""
        ...

    async def posted_count(self, ref: ChannelRef) -> int:
        """How many papers the channel has received."""
        ...


@dataclass(frozen=True, slots=True)
class StoredChannel:
    """A channel's state with its primary key, which the batch statements use."""

    pk: int
    state: ChannelState


@dataclass(frozen=True, slots=True)
class Claim:
    """A paper a run means to post in a channel."""

    channel_pk: int
    arxiv_id: str
    version: int
    run_id: str


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A post the platform accepted."""

    channel_pk: int
    arxiv_id: str
    message_ref: str


class DeliveryBatchStore(Protocol):
    """Channels, topics and deliveries of many channels in a few statements, same rules as the ledger."""

    async def active_channels(self, after_pk: int, limit: int) -> list[StoredChannel]:
        """The next `limit` unpaused channels by key, for streaming every channel in batches."""
        ...

    async def channels(self, refs: Sequence[ChannelRef]) -> list[StoredChannel]:
        """These channels (those known), in the order given."""
        ...

    async def topics(self, pks: Sequence[int]) -> dict[int, list[str]]:
        """Each channel's topics in the order they were added."""
        ...

    async def delivered(self, pks: Sequence[int], announced_after: date) -> dict[int, set[str]]:
        """Papers announced after the day that each channel has (or has claimed)."""
        ...

    async def since_last_digest(self, pks: Sequence[int]) -> dict[int, int]:
        """Per channel, papers posted (or claimed) after its last finished digest."""
        ...

    async def unsettled(self, pks: Sequence[int]) -> set[int]:
        """Channels holding claims no run has settled."""
        ...

    async def claim(self, claims: Sequence[Claim], at: datetime) -> set[tuple[int, str]]:
        """Claim papers at once; returns the (channel, paper) pairs these runs now hold."""
        ...

    async def finish(
        self,
        confirmations: Sequence[Confirmation],
        done: Sequence[int],
        at: datetime,
        covered_through: date | None,
        hold: Collection[int] = (),
    ) -> None:
        """Confirm posts and mark channels' digests done (those in `hold` keep their read mark)."""
        ...
