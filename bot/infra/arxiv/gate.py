"""One arXiv request at a time, at least `min_interval` seconds apart, across the process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Clock(Protocol):
    """Monotonic time and sleeping; synchronous because arXiv calls run in worker threads."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for `seconds`."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Seconds from `time.monotonic`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Really sleep."""
        time.sleep(seconds)


class RequestGate:
    """Serialises requests and spaces their starts, as arXiv's terms of use ask."""

    def __init__(self, min_interval: float, clock: Clock | None = None) -> None:
        self.min_interval = min_interval
        self.clock: Clock = clock or SystemClock()
        self.requests_made = 0
        self.request_times: list[float] = []
        self._lock = threading.Lock()
        self._last_start: float | None = None

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold the one request slot: wait for the previous request and the interval."""
        # The lock is held for the whole request, so requests never overlap.
        with self._lock:
            if self._last_start is not None:
                wait = self._last_start + self.min_interval - self.clock.monotonic()
                if wait > 0:
                    self.clock.sleep(wait)
            start = self.clock.monotonic()
            self._last_start = start
            self.requests_made += 1
            self.request_times.append(start)
            yield
