"""How fast Paperboy posts into Slack: about one message a second per channel, and one shared backoff
for the whole workspace when Slack answers 429.

Slack's chat.postMessage "generally allows posting one message per second per channel, while also
maintaining a workspace-wide limit" (https://docs.slack.dev/apis/web-api/rate-limits), and a 429
does not say which limit it was. So one 429 holds back every channel of the workspace until its
Retry-After has passed; then posts go out one at a time, a second apart (Slack's base rate for
posting messages), and the spacing shrinks again as they go through. Without this, 32 channels
posting at once would each wait out their own 429 and retry together, again and again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

Sleep = Callable[[float], Awaitable[None]]
# After a 429, posts across the workspace go out at least this far apart (Slack's "1 per second").
BACKOFF_SPACING = 1.0
MAX_SPACING = 30.0
# Each post that goes through narrows the spacing by this factor, until it is gone.
RECOVERY = 0.98
# How long a post keeps waiting while Slack keeps answering 429; past it the post fails.
RATE_LIMIT_PATIENCE = 30 * 60.0


class WorkspaceBackoff:
    """One pause and one pace for all of a workspace's posts, set by Slack's 429 answers."""

    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic, sleep: Sleep = asyncio.sleep):
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._resume_at = 0.0
        self._spacing = 0.0
        self._last = 0.0
        self.pauses = 0  # how many times Slack made the workspace pause

    async def admit(self) -> int:
        """Wait until a post may go out; returns the pause count it was let through under."""
        async with self._lock:  # fair: posts go in the order they arrived
            while True:
                now = self._monotonic()
                due = max(self._resume_at, self._last + self._spacing)
                if due <= now:
                    break
                await self._sleep(due - now)
            self._last = self._monotonic()
            return self.pauses

    def slow_down(self, admitted: int, retry_after: float) -> None:
        """Slack answered 429 to a post let through under pause count `admitted`."""
        self._resume_at = max(self._resume_at, self._monotonic() + retry_after)
        if admitted == self.pauses:
            # The first 429 since this post went out; the others of its burst only extend the pause.
            self.pauses += 1
            self._spacing = min(MAX_SPACING, max(BACKOFF_SPACING, self._spacing * 2))

    def went_through(self) -> None:
        """A post was accepted: the workspace may speed up again."""
        self._spacing *= RECOVERY
        if self._spacing < BACKOFF_SPACING / 10:
            self._spacing = 0.0

    @property
    def spacing(self) -> float:
        """Seconds between posts across the workspace right now (0 when at full speed)."""
        return self._spacing


class ChannelPacer:
    """Hands out posting turns per channel, at least `interval` seconds apart, within the workspace's pace."""

    def __init__(
        self,
        interval: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        patience: float = RATE_LIMIT_PATIENCE,
    ):
        self._interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._next: dict[str, float] = {}
        self.workspace = WorkspaceBackoff(monotonic=monotonic, sleep=sleep)
        self.patience = patience

    def now(self) -> float:
        """The pacer's clock (the tests' fake one, in tests)."""
        return self._monotonic()

    async def turn(self, channel_id: str) -> int:
        """Wait until this channel may receive its next message and the workspace may post; claim it.

        Returns the workspace's pause count, for `WorkspaceBackoff.slow_down`.
        """
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            due = self._next.get(channel_id, 0.0)
            now = self._monotonic()
            if due > now:
                await self._sleep(due - now)
            admitted = await self.workspace.admit()
            self._next[channel_id] = self._monotonic() + self._interval
            self._forget_idle()
            return admitted

    def _forget_idle(self) -> None:
        # Channels that have not posted for a while need no slot; keeps the maps small.
        if len(self._next) < 1000:
            return
        now = self._monotonic()
        for key in [k for k, due in self._next.items() if due < now and not self._locks[k].locked()]:
            del self._next[key]
            del self._locks[key]


class RateLimitRetryExceptPosts(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 retries for every method but chat.postMessage, which the publisher paces itself."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if request.url.rstrip("/").endswith("/chat.postMessage"):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)
