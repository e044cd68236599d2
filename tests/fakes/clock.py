"""A clock whose sleeps take no time, so tests can check 3-second spacing in milliseconds."""

from __future__ import annotations

import threading


class FakeClock:
    """`monotonic` and `sleep` on a made-up timeline; sleeping advances it instantly."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        """The made-up now."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Advance the timeline instead of waiting, and remember the sleep."""
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        """Let time pass without anyone sleeping."""
        with self._lock:
            self._now += seconds
