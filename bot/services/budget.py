"""Daily token budgets, per channel and in total, so one busy channel cannot spend everyone's."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

from bot.infra.storage.llm_store import LlmStore
from bot.services.ports import Completion


class TokenBudget:
    """Admits a call only if its worst case fits today's budgets; 0 means no limit.

    Calls in flight hold a reservation, so many concurrent calls cannot all slip under the limit.
    """

    def __init__(self, store: LlmStore, per_channel: int, total: int) -> None:
        self._store = store
        self.per_channel = per_channel
        self.total = total
        self._reserved: Counter[str] = Counter()
        self._lock = asyncio.Lock()

    async def reserve(self, channel_key: str, day: date, worst_case: int) -> str | None:
        """Hold `worst_case` tokens for a call, or say (as a reason to show) why not."""
        async with self._lock:
            if self.per_channel:
                used = await self._store.tokens_used(day, channel_key) + self._reserved[channel_key]
                if used + worst_case > self.per_channel:
                    return (
                        f"this channel has used today's LLM budget ({self.per_channel:,} tokens; "
                        "it renews at midnight UTC)"
                    )
            if self.total:
                used = await self._store.tokens_used(day) + sum(self._reserved.values())
                if used + worst_case > self.total:
                    return (
                        f"Paperboy has used today's LLM budget ({self.total:,} tokens; "
                        "it renews at midnight UTC)"
                    )
            self._reserved[channel_key] += worst_case
            return None

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
