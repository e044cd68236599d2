"""A clock whose sleeps take no time, so tests can check 3-second spacing in milliseconds."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

DEFAULT_WALL_START = datetime(2026, 2, 12, 12, 0, tzinfo=UTC)


class FakeClock:
    """`monotonic`, `sleep` and `now` on a made-up timeline; sleeping advances it instantly.

    It serves both the arXiv gate (monotonic seconds) and the services (wall-clock `now`).
    """

    def __init__(self, start: float = 1000.0, wall_start: datetime = DEFAULT_WALL_START) -> None:
        self._start = start
        self._now = start
        self._wall_start = wall_start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        """The made-up wall-clock time, aware UTC."""
        with self._lock:
            return self._wall_start + timedelta(seconds=self._now - self._start)

    def set_now(self, moment: datetime) -> None:
        """Jump the wall clock (and the timeline with it) forward to `moment`."""
        with self._lock:
            self._now += max(0.0, (moment - self._wall_start).total_seconds() - (self._now - self._start))

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
