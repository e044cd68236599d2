"""Daily token budgets, per channel and in total, so one busy channel cannot spend everyone's."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date

from bot.ports import ChannelUsage, Completion

# Other processes may spend too; their use shows up here within this many seconds.
USED_MAX_AGE = 30.0
USED_KEPT = 50_000


class TokenBudget:
    """Admits a call only if its worst case fits today's budgets; 0 means no limit.

    Calls in flight hold a reservation, so many concurrent calls cannot all slip under the limit.
    Spend read from the database is kept for `USED_MAX_AGE` seconds and added to by this process's
    own calls, so a digest cycle's thousands of calls do not each read the ledger again. Other
    processes' reservations are not seen, and their spend up to `USED_MAX_AGE` late: that is how far
    several processes can pass these budgets together (a person's allowance is held in the database).
    """

    def __init__(self, store: ChannelUsage, per_channel: int, total: int) -> None:
        self._store = store
        self.per_channel = per_channel
        self.total = total
        self._reserved: Counter[str] = Counter()
        self._lock = asyncio.Lock()
        self._used: dict[tuple[date, str | None], tuple[int, float]] = {}

    async def reserve(self, channel_key: str, day: date, worst_case: int) -> str | None:
        """Hold `worst_case` tokens for a call, or say (as a reason to show) why not."""
        return (await self.reserve_first([channel_key], day, worst_case))[1]

    async def reserve_first(
        self, channel_keys: Sequence[str], day: date, worst_case: int
    ) -> tuple[str | None, str | None]:
        """Hold `worst_case` tokens for the first of these channels whose budget has room.

        Returns the channel charged, or None and the reason (as shown in a channel) why none was.
        """
        async with self._lock:
            chosen = channel_keys[0] if channel_keys else None
            if self.per_channel:
                chosen = None
                for key in channel_keys:
                    used = await self._tokens_used(day, key) + self._reserved[key]
                    if used + worst_case <= self.per_channel:
                        chosen = key
                        break
                if chosen is None:
                    return None, (
                        f"this channel has used today's LLM budget ({self.per_channel:,} tokens; "
                        "it renews at midnight UTC)"
                    )
            if chosen is None:
                return None, "no channel to charge"
            if self.total:
                used = await self._tokens_used(day, None) + sum(self._reserved.values())
                if used + worst_case > self.total:
                    return None, (
                        f"Paperboy has used today's LLM budget ({self.total:,} tokens; "
                        "it renews at midnight UTC)"
                    )
            self._reserved[chosen] += worst_case
            return chosen, None

    def release(self, channel_key: str, worst_case: int) -> None:
        """The call is over (its real use is recorded): free its reservation."""
        self._reserved[channel_key] -= worst_case
        if self._reserved[channel_key] <= 0:
            del self._reserved[channel_key]

    async def record(self, channel_key: str, day: date, completion: Completion) -> None:
        """Add a call's real tokens and cost to the channel's day."""
        await self._store.record_usage(
            channel_key,
            day,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            cost=completion.cost,
        )
        # After the write: a read in between would count this call twice, never miss it.
        for key in ((day, channel_key), (day, None)):
            if key in self._used:
                used, read_at = self._used[key]
                self._used[key] = (used + completion.tokens, read_at)

    async def _tokens_used(self, day: date, channel_key: str | None) -> int:
        """Today's spend (of one channel, or in total), read again once it is a little old."""
        now = time.monotonic()
        found = self._used.get((day, channel_key))
        if found is not None and now - found[1] < USED_MAX_AGE:
            return found[0]
        if found is None and len(self._used) > USED_KEPT:
            self._used = {k: v for k, v in self._used.items() if k[0] == day}
        used = await self._store.tokens_used(day, channel_key)
        self._used[(day, channel_key)] = (used, now)
        return used
