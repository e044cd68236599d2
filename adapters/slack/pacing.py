"""About one message a second per channel, as Slack asks, without one channel waiting for another."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]


class ChannelPacer:
    """Hands out posting turns per channel, at least `interval` seconds apart."""

    def __init__(
        self,
        interval: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ):
        self._interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._next: dict[str, float] = {}

    async def turn(self, channel_id: str) -> None:
        """Wait until this channel may receive its next message, and claim that slot."""
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            due = self._next.get(channel_id, 0.0)
            now = self._monotonic()
            if due > now:
                await self._sleep(due - now)
            self._next[channel_id] = self._monotonic() + self._interval
            self._forget_idle()

    def _forget_idle(self) -> None:
        # Channels that have not posted for a while need no slot; keeps the maps small.
        if len(self._next) < 1000:
            return
        now = self._monotonic()
        for key in [k for k, due in self._next.items() if due < now and not self._locks[k].locked()]:
            del self._next[key]
            del self._locks[key]
