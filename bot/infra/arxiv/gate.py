"""One arXiv request at a time, `min_interval` apart, for every process that shares the gate's lock.

arXiv's terms: one request every 3 seconds and one connection at a time, across all of a user's
machines. In a process, threads queue for the one slot (the daily listing first); across processes,
a `CrossProcessLock` (`shared_gate.py`) passes the slot on and remembers when the last request ended.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import IntEnum
from typing import Protocol

import requests

# Start times kept for observation (tests, benchmarks); the counters are exact forever.
RECENT_REQUESTS = 1_000
# Listing requests that may go ahead of a waiting on-demand request before it gets its turn.
LISTING_STREAK = 8


class Priority(IntEnum):
    """Who waits at the gate: the daily listing goes before what one person asked for."""

    LISTING = 0
    ON_DEMAND = 1


_priority: ContextVar[Priority] = ContextVar("arxiv_request_priority", default=Priority.ON_DEMAND)


@contextmanager
def listing_priority() -> Iterator[None]:
    """Mark the requests made inside (and in worker threads started inside) as the daily listing's."""
    token = _priority.set(Priority.LISTING)
    try:
        yield
    finally:
        _priority.reset(token)


class GateUnavailable(requests.ConnectionError):
    """The lock shared with the other processes could not be taken (its database or file is unreachable).

    A connection error to the callers: retried with backoff like arXiv being unreachable, because
    sending without the lock could break arXiv's terms.
    """


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


class CrossProcessLock(Protocol):
    """Held by one process at a time; remembers when the last request of any process ended."""

    def acquire(self) -> float | None:
        """Block until ours; seconds since the last request anywhere ended (None: none yet)."""
        ...

    def release(self) -> None:
        """Record that a request ended now, and let the next process go."""
        ...

    def close(self) -> None:
        """Let go of the file or connection behind the lock."""
        ...


class _Ticket:
    """One waiting request (compared by identity)."""


class _TurnQueue:
    """Who in this process goes next, chosen when the interval is over rather than when the slot frees.

    The next request cannot start before the interval is over anyway, so choosing then costs
    nothing and lets the listing's next request (sent a moment after its last one ended) go ahead
    of on-demand requests already waiting. The listing goes first, but at most `streak` times in a
    row while an on-demand request waits, so neither can starve the other.
    """

    def __init__(self, clock: Clock, min_interval: float, streak: int) -> None:
        self._clock = clock
        self._min_interval = min_interval
        self._changed = threading.Condition()
        self._busy = False
        self._last_end: float | None = None
        self._waiting: dict[Priority, deque[_Ticket]] = {p: deque() for p in Priority}
        self._streak = 0
        self._max_streak = streak

    @property
    def waiting(self) -> int:
        """Requests of this process waiting for their turn."""
        with self._changed:
            return sum(len(q) for q in self._waiting.values())

    def enter(self, priority: Priority) -> None:
        """Block until it is this caller's turn and the interval since the last request is over."""
        ticket = _Ticket()
        with self._changed:
            self._waiting[priority].append(ticket)
            try:
                while True:
                    if self._busy or self._head() is not ticket:
                        self._changed.wait()
                        continue
                    wait = self._wait()
                    if wait <= 0:
                        break
                    # Sleep out the interval without the lock, then look again: who is first now?
                    self._changed.release()
                    try:
                        self._clock.sleep(wait)
                    finally:
                        self._changed.acquire()
            except BaseException:
                self._waiting[priority].remove(ticket)
                self._changed.notify_all()
                raise
            self._waiting[priority].remove(ticket)
            if priority is Priority.LISTING and self._waiting[Priority.ON_DEMAND]:
                self._streak += 1
            else:
                self._streak = 0
            self._busy = True

    def leave(self) -> None:
        """The request ended: the interval starts now."""
        with self._changed:
            self._busy = False
            self._last_end = self._clock.monotonic()
            self._changed.notify_all()

    def _head(self) -> _Ticket | None:
        listing, on_demand = self._waiting[Priority.LISTING], self._waiting[Priority.ON_DEMAND]
        if listing and (not on_demand or self._streak < self._max_streak):
            return listing[0]
        return on_demand[0] if on_demand else None

    def _wait(self) -> float:
        if self._last_end is None:
            return 0.0
        return self._last_end + self._min_interval - self._clock.monotonic()


class RequestGate:
    """Serialises requests and spaces them, as arXiv's terms of use ask.

    A request starts at least `min_interval` seconds after the previous one *ended*: stricter than
    start-to-start spacing, and so it holds at arXiv's end whatever the network's delays.
    """

    def __init__(
        self,
        min_interval: float,
        clock: Clock | None = None,
        *,
        shared: CrossProcessLock | None = None,
        listing_streak: int = LISTING_STREAK,
    ) -> None:
        if min_interval < 0:
            raise ValueError("min_interval must be >= 0")
        self.min_interval = min_interval
        self.clock: Clock = clock or SystemClock()
        self.shared = shared
        self.requests_made = 0
        self._recent: deque[float] = deque(maxlen=RECENT_REQUESTS)
        self._queue = _TurnQueue(self.clock, min_interval, listing_streak)
        self._holder: int | None = None

    @property
    def request_times(self) -> list[float]:
        """Start times (on the gate's clock) of the last `RECENT_REQUESTS` requests, oldest first."""
        return list(self._recent)

    def request_times_since(self, made_before: int) -> list[float]:
        """Start times of the requests made since `requests_made` was `made_before` (the recent ones)."""
        count = min(self.requests_made - made_before, len(self._recent))
        return list(self._recent)[-count:] if count > 0 else []

    @property
    def waiting(self) -> int:
        """Requests of this process waiting for the slot."""
        return self._queue.waiting

    def held_here(self) -> bool:
        """Whether the calling thread holds the slot."""
        return self._holder == threading.get_ident()

    @contextmanager
    def slot(self, priority: Priority | None = None) -> Iterator[None]:
        """Hold the one request slot: wait for its turn, the other processes and the interval.

        `priority` defaults to the caller's context (`listing_priority()`); a thread that already
        holds the slot (a download and the HTTP send inside it) goes straight on.
        """
        if self.held_here():
            yield
            return
        self._queue.enter(_priority.get() if priority is None else priority)
        try:
            since_shared = self.shared.acquire() if self.shared is not None else None
            try:
                self._wait_for_others(since_shared)
                self._holder = threading.get_ident()
                self.requests_made += 1
                self._recent.append(self.clock.monotonic())
                try:
                    yield
                finally:
                    self._holder = None
            finally:
                if self.shared is not None:
                    self.shared.release()
        finally:
            self._queue.leave()

    def close(self) -> None:
        """Let go of the shared lock's file or connection."""
        if self.shared is not None:
            self.shared.close()

    def _wait_for_others(self, since_shared: float | None) -> None:
        """The rest of the interval since another process's last request (ours is already over)."""
        if since_shared is None:
            return
        # Another machine's clock, or ours set back, never holds the gate beyond one interval.
        wait = min(self.min_interval, self.min_interval - since_shared)
        if wait > 0:
            self.clock.sleep(wait)
