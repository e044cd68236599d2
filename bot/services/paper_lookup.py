"""The paper a command names: parsed, found in the database or on arXiv, or a clear answer why not."""

from __future__ import annotations

import math
from datetime import timedelta

from bot.domain.channel import Actor, ChannelRef
from bot.domain.clock import Clock
from bot.domain.ids import InvalidArxivId, parse_arxiv_id
from bot.domain.paper import Paper
from bot.domain.replies import Notice, Tone
from bot.services.catalog import PaperCatalog
from bot.services.lookup_limits import LookupLimits, LookupsBusy


class PaperLookup:
    """`explain`, `ask`, thread questions and buttons all find their paper here, under one limit."""

    def __init__(self, catalog: PaperCatalog, limits: LookupLimits, clock: Clock) -> None:
        self.catalog = catalog
        self.limits = limits
        self._clock = clock

    async def find(self, channel: ChannelRef, actor: Actor, text: str) -> Paper | Notice:
        """The paper, or what to tell the person: a bad id, too many look-ups going, no such paper.

        Only a request that reaches arXiv counts against the person's and the channel's look-ups:
        stored papers and ids arXiv recently had no paper for are answered at once.
        """
        try:
            arxiv_id = parse_arxiv_id(text)
        except InvalidArxivId as error:
            return Notice(str(error), Tone.ERROR)
        try:
            paper = await self.catalog.paper(arxiv_id.base, admission=self.limits.slot(channel, actor))
        except LookupsBusy as busy:
            return Notice(str(busy), Tone.WARNING)
        if paper is not None:
            return paper
        if await self.catalog.in_current_listing(arxiv_id.base):
            return Notice(
                f"{arxiv_id.base} is in today's arXiv listing, but arXiv has not published its details "
                "yet. Try again in a few hours.",
                Tone.INFO,
            )
        again = await self.catalog.remembered_miss(arxiv_id.base)
        later = (
            f" I won't ask arXiv about it again for {_minutes(again - self._clock.now())}." if again else ""
        )
        return Notice(
            f"arXiv has no paper {arxiv_id.base}. Check the id on https://arxiv.org/abs/{arxiv_id.base}"
            f"{later}",
            Tone.ERROR,
        )


def _minutes(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
