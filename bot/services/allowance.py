"""Each person's daily LLM allowance across every channel, so one person cannot spend everyone's day."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.clock import Clock
from bot.ports import Completion, PersonUsage

log = logging.getLogger(__name__)


@dataclass(slots=True)
class UserHold:
    """The worst case held in the database for one person's call until it is settled or released."""

    user_key: str
    day: date
    tokens: int
    open: bool = True


class UserAllowance:
    """`LLM_DAILY_TOKENS_PER_USER` for `explain` and `ask`: checked before a call, settled after.

    The hold and the check are one statement in the database, so a person's concurrent requests,
    in any number of processes, cannot together pass the limit by more than their calls' real use
    exceeds the worst case held for them. With no limit (0) nothing is held; use is still recorded.
    """

    def __init__(self, store: PersonUsage, per_user: int, clock: Clock) -> None:
        self._store = store
        self.per_user = per_user
        self._clock = clock

    async def hold(self, user_key: str | None, day: date, tokens: int) -> UserHold | str | None:
        """A hold for the call, or the reason (to show the person) why not; None when no one asked."""
        if user_key is None:
            return None
        if not self.per_user:
            return UserHold(user_key, day, 0)
        if not await self._store.hold(user_key, day, tokens, self.per_user):
            return await self._refusal(user_key, day, tokens)
        return UserHold(user_key, day, tokens)

    async def settle(self, hold: UserHold | None, completion: Completion) -> None:
        """The call is answered: its real tokens replace the hold."""
        if hold is None or not hold.open:
            return
        hold.open = False
        await self._store.settle(
            hold.user_key,
            hold.day,
            hold.tokens,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            cost=completion.cost,
        )

    async def release(self, hold: UserHold | None) -> None:
        """No call was made (or it failed): free the hold. A lost release only holds until midnight."""
        if hold is None or not hold.open:
            return
        hold.open = False
        if not hold.tokens:
            return
        try:
            await self._store.release(hold.user_key, hold.day, hold.tokens)
        except Exception:
            log.exception("releasing %s LLM tokens held for a person failed", f"{hold.tokens:,}")

    async def _refusal(self, user_key: str, day: date, tokens: int) -> str:
        """What the person is told: what they spent of which limit, that it spans channels, when it renews."""
        if tokens > self.per_user:
            return (
                f"this request may need up to {tokens:,} tokens, more than one person's whole daily "
                f"LLM allowance of {self.per_user:,}"
            )
        lines = await self._store.usage(day, user_key)
        spent = sum(line.tokens + line.held_tokens for line in lines if line.day == day)
        renews = datetime.combine(day + timedelta(days=1), time(), UTC)
        left = max(renews - self._clock.now(), timedelta(minutes=1))
        hours, minutes = divmod(int(left.total_seconds()) // 60, 60)
        wait = f"{hours} h {minutes} min" if hours else f"{minutes} min"
        return (
            f"your LLM allowance for today is used up: {spent:,} of {self.per_user:,} tokens a person, "
            f"counted across all channels, and this request may need up to {tokens:,}. "
            f"It renews at midnight UTC, in {wait}"
        )
