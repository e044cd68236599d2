"""Votes as the engine answers them: a member's 👍/👎 noted for the channel, and how the ranking is doing."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.domain.channel import Actor, ChannelRef
from bot.domain.clock import Clock
from bot.domain.ids import InvalidArxivId, parse_arxiv_id
from bot.domain.replies import Notice, Reply, Tone
from bot.domain.votes import FIGURES_WINDOW_DAYS, VoteChange, VoteFigures
from bot.ports import VoteStore

log = logging.getLogger(__name__)


class VoteCommands:
    """Records votes (real and weak) and reads the channel's figures."""

    def __init__(self, store: VoteStore, clock: Clock) -> None:
        self.store = store
        self._clock = clock

    async def vote(self, channel: ChannelRef, actor: Actor, text: str, *, up: bool) -> Reply:
        """A member's 👍 or 👎 on a paper, replacing their earlier vote on it; the answer is theirs."""
        try:
            arxiv_id = parse_arxiv_id(text).base
        except InvalidArxivId as error:
            return Notice(str(error), Tone.ERROR)
        change = await self.store.record(channel, arxiv_id, actor.user_id, up=up)
        mark = "👍" if up else "👎"
        match change:
            case VoteChange.SAME:
                said = f"You had already voted {mark} on {arxiv_id}; it stays."
            case VoteChange.CHANGED:
                said = f"Changed: your vote on {arxiv_id} is now {mark}."
            case _:
                said = f"Noted: {mark} on {arxiv_id} for this channel."
        return Notice(f"{said} This channel's ranking learns from its members' votes.", Tone.SUCCESS)

    async def weak_up(self, channel: ChannelRef, actor: Actor, arxiv_id: str) -> None:
        """A look at a digest item (Explain, a thread question) is a weak 👍; a failure costs only that."""
        try:
            await self.store.record(channel, arxiv_id, actor.user_id, up=True, weak=True)
        except Exception:  # the explanation matters more than the weak vote
            log.warning("weak vote on %s in %s not recorded", arxiv_id, channel.key, exc_info=True)

    async def figures(self, channel: ChannelRef) -> VoteFigures:
        """The channel's figures over the last 30 days, for `settings`."""
        since = self._clock.now() - timedelta(days=FIGURES_WINDOW_DAYS)
        return await self.store.figures(channel, since)
