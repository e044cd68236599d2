"""What the services need of the vote store: the team's 👍 and 👎, and what ranking reads of them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.channel import ChannelRef
from bot.domain.votes import ChannelVote, VoteChange, VoteFigures


class VoteStore(Protocol):
    """One vote per member per paper per channel, changeable; figures and the ranking's read."""

    async def record(
        self, channel: ChannelRef, arxiv_id: str, user_id: str, *, up: bool, weak: bool = False
    ) -> VoteChange:
        """Keep the member's vote (a weak 👍 never replaces a real vote); what it changed."""
        ...

    async def figures(self, channel: ChannelRef, since: datetime) -> VoteFigures:
        """The channel's share of 👍 among items voted since `since`, and its vote counts."""
        ...

    async def all_figures(self, since: datetime) -> list[tuple[ChannelRef, VoteFigures]]:
        """Every channel with votes, with its figures, for `paperboy relevance`."""
        ...

    async def channel_votes(self, pks: Sequence[int]) -> dict[int, list[ChannelVote]]:
        """Each channel's votes by channel primary key, batched: what the ranking learns from."""
        ...
