"""What explanations keep: the explanation cache, each channel's daily use, each person's allowance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ExplanationKey:
    """What makes an explanation reusable: the same paper version, model and prompt."""

    arxiv_id: str
    version: int
    model: str
    prompt_version: str


@dataclass(frozen=True, slots=True)
class StoredExplanation:
    """A cached explanation and what it was generated from."""

    text: str
    source: str
    model: str


@dataclass(frozen=True, slots=True)
class UsageLine:
    """One channel's LLM use on one day."""

    channel_key: str
    day: date
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost: float

    @property
    def tokens(self) -> int:
        """Prompt and completion tokens together."""
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class UserUsageLine:
    """One person's LLM use on one day, and what their calls in flight hold."""

    user_key: str
    day: date
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost: float
    held_tokens: int

    @property
    def tokens(self) -> int:
        """Prompt and completion tokens together: what the limit counts (besides holds)."""
        return self.prompt_tokens + self.completion_tokens


class ExplanationCache(Protocol):
    """Explanations written once and shown to every channel."""

    async def explanation(self, key: ExplanationKey) -> StoredExplanation | None:
        """The cached explanation for this key, if any."""
        ...

    async def explanations(self, keys: list[ExplanationKey]) -> dict[ExplanationKey, StoredExplanation]:
        """The cached explanations among these keys, in a few queries (a digest cycle's papers)."""
        ...

    async def save_explanation(
        self,
        key: ExplanationKey,
        text: str,
        source: str,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float,
    ) -> None:
        """Cache an explanation; a copy saved meanwhile by another process wins quietly."""
        ...


class ChannelUsage(Protocol):
    """Each channel's daily LLM use, for the channel and total budgets."""

    async def record_usage(
        self, channel_key: str, day: date, *, prompt_tokens: int, completion_tokens: int, cost: float
    ) -> None:
        """Add one call to the channel's tally for the day."""
        ...

    async def tokens_used(self, day: date, channel_key: str | None = None) -> int:
        """Tokens spent on `day` by one channel, or by all of them."""
        ...

    async def usage(self, since: date | None = None) -> list[UsageLine]:
        """Every channel's use per day (newest day first), from `since` on."""
        ...


class PersonUsage(Protocol):
    """Each person's daily LLM use across channels, and holds of their calls in flight."""

    async def hold(self, user_key: str, day: date, tokens: int, limit: int) -> bool:
        """Hold `tokens` for a call unless spent, held and these would pass `limit` (0: no limit)."""
        ...

    async def settle(
        self,
        user_key: str,
        day: date,
        held: int,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float,
    ) -> None:
        """Replace a call's hold by what it spent (the row is made if nothing was held)."""
        ...

    async def release(self, user_key: str, day: date, held: int) -> None:
        """Drop a hold whose call was not made or failed: nothing was spent."""
        ...

    async def usage(self, since: date | None = None, user_key: str | None = None) -> list[UserUsageLine]:
        """Each person's use per day (newest day first, then the most tokens), from `since` on."""
        ...
