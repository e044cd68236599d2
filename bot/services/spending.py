"""The budgets one LLM call must fit: its channel's, the total, and the asking person's allowance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.clock import Clock
from bot.ports import ChannelUsage, Completion, PersonUsage
from bot.services.allowance import UserAllowance, UserHold
from bot.services.budget import TokenBudget


@dataclass(slots=True)
class Call:
    """What one new LLM call reserved: its worst case on a channel (and the total), and a person's."""

    channel_key: str
    day: date
    worst: int
    hold: UserHold | None
    open: bool = True


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why no call may be made; `personal` when it is the asking person's own allowance."""

    reason: str
    personal: bool = False


class Spending:
    """Reserves a call's worst case before it is made and settles its real use after.

    The person's allowance is checked first, in the database (every process sees it at once); the
    channel and total budgets then in this process (see `TokenBudget` for how fresh they are).
    """

    def __init__(
        self,
        channels: ChannelUsage,
        people: PersonUsage,
        clock: Clock,
        *,
        per_channel: int,
        total: int,
        per_user: int,
    ) -> None:
        self.budget = TokenBudget(channels, per_channel, total)
        self.allowance = UserAllowance(people, per_user, clock)

    async def reserve(
        self, payers: Sequence[str], day: date, worst: int, user: str | None = None
    ) -> Call | Refusal:
        """Reserve on `user`'s allowance and the first of `payers` with room, or say why not."""
        hold = await self.allowance.hold(user, day, worst)
        if isinstance(hold, str):
            return Refusal(hold, personal=True)
        charged, refusal = await self.budget.reserve_first(payers, day, worst)
        if charged is None:
            await self.allowance.release(hold)
            return Refusal(refusal or "no budget")
        return Call(charged, day, worst, hold)

    async def record(self, call: Call, reply: Completion) -> None:
        """The call's real tokens, on its channel's day and its person's."""
        await self.budget.record(call.channel_key, call.day, reply)
        await self.allowance.settle(call.hold, reply)

    async def release(self, call: Call) -> None:
        """The call is over (recorded, failed or not needed): free what it reserved, once."""
        if not call.open:
            return
        call.open = False
        self.budget.release(call.channel_key, call.worst)
        await self.allowance.release(call.hold)
