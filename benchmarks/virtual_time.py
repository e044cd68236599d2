"""Virtual time for the benchmark: a slow LLM counted, not slept, without skipping any real work.

Virtual time is the real monotonic clock plus an offset that only grows. It runs at the real rate
while anything real happens, and jumps ahead (a discrete-event step) only when this process has
nothing to do but wait: the event loop is about to block, no worker thread is busy, no database
connection is checked out, and every LLM call the explainer has sent is being held by the fake
LLM. It then jumps to whichever comes first, the fake's next due answer or the loop's next timer
(a digest's 120-second wait, a sleep), so the LLM's seconds cost nothing in real time while every
millisecond of our own work is still counted.

The fake LLM runs in another process (its CPU is not ours) and reads the same virtual clock
through shared memory: it holds each request until virtual time reaches arrival + latency and
publishes how many it holds and when the first is due. Both processes read `time.monotonic`,
which is one clock for the whole machine.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import selectors
import time
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime, timedelta
from multiprocessing.context import SpawnContext
from typing import Any, TypeVar

T = TypeVar("T")

# While real work is under way the loop still looks every POLL seconds whether it has settled:
# a request on its way to the fake wakes nothing in this process.
POLL = 0.001


class SharedTime:
    """The virtual clock's offset and the fake LLM's held answers, in memory both processes share."""

    def __init__(self, context: SpawnContext) -> None:
        self.changed = context.Condition(context.Lock())
        self._offset = context.RawValue("d", 0.0)
        self._held = context.RawValue("i", 0)
        self._next_due = context.RawValue("d", math.inf)
        self._most_held = context.RawValue("i", 0)

    def monotonic(self) -> float:
        """Virtual seconds: the machine's monotonic clock plus every jump so far."""
        return time.monotonic() + self._offset.value

    def advance(self, seconds: float) -> None:
        """Jump ahead and wake the fake's held answers that are now due."""
        with self.changed:
            self._offset.value += max(0.0, seconds)
            self.changed.notify_all()

    def held(self) -> tuple[int, float]:
        """How many answers the fake holds, and the virtual time the first is due (inf if none)."""
        with self.changed:
            return self._held.value, self._next_due.value

    @property
    def most_held(self) -> int:
        """The most answers the fake held at once."""
        return int(self._most_held.value)

    def publish(self, dues: list[float]) -> None:
        """The fake's side: what it holds now (call with `changed` held)."""
        self._held.value = len(dues)
        self._next_due.value = dues[0] if dues else math.inf
        self._most_held.value = max(self._most_held.value, len(dues))


class VirtualWait:
    """The fake LLM's reply delay on the virtual clock: `FakeLlm(wait=VirtualWait(shared))`."""

    def __init__(self, shared: SharedTime) -> None:
        self._shared = shared
        self._dues: list[float] = []  # a heap, guarded by `shared.changed`

    def __call__(self, seconds: float) -> None:
        shared = self._shared
        with shared.changed:
            due = shared.monotonic() + seconds
            heapq.heappush(self._dues, due)
            shared.publish(self._dues)
            while (left := due - shared.monotonic()) > 0:
                shared.changed.wait(left)
            self._dues.remove(due)
            heapq.heapify(self._dues)
            shared.publish(self._dues)


class VirtualClock:
    """The services' clock (`now`) and the arXiv gate's (`monotonic`, `sleep`), on virtual time.

    The gate's 3-second spacing is counted, not slept, as with the benchmark's FakeClock.
    """

    def __init__(self, shared: SharedTime, start: datetime) -> None:
        self._shared = shared
        self.start_at(start)

    def start_at(self, moment: datetime) -> None:
        """From now on, `now()` reads `moment` plus the virtual seconds since this call."""
        self._wall, self._origin = moment, self._shared.monotonic()

    def now(self) -> datetime:
        """The virtual wall-clock time, aware UTC."""
        return self._wall + timedelta(seconds=self._shared.monotonic() - self._origin)

    def monotonic(self) -> float:
        """Virtual seconds."""
        return self._shared.monotonic()

    def sleep(self, seconds: float) -> None:
        """Count the wait instead of waiting."""
        self._shared.advance(seconds)

    def advance(self, seconds: float) -> None:
        """Let time pass."""
        self._shared.advance(seconds)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose `time()` is virtual and which jumps ahead only when all it does is wait.

    `settled` says whether the rest of the process is waiting only (no database work, every LLM
    call held by the fake); the loop adds its own worker threads and the timers it holds.
    """

    def __init__(self, shared: SharedTime) -> None:
        self.shared = shared
        # Until the benchmark says how to tell, time runs at the real rate only.
        self.settled: Callable[[], bool] = lambda: False
        self.threads_busy = 0
        self.jumps = 0
        self.jumped = 0.0
        super().__init__(_JumpingSelector(self))

    def time(self) -> float:
        """Virtual seconds: every timer (sleeps, timeouts, the digest's wait) runs on them."""
        return self.shared.monotonic()

    def run_in_executor(
        self, executor: Executor | None, func: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        """As usual, counting the threads at work: time never jumps while one runs."""
        future = super().run_in_executor(executor, func, *args)
        self.threads_busy += 1

        def done(_: asyncio.Future[T]) -> None:
            self.threads_busy -= 1

        future.add_done_callback(done)
        return future

    def jump(self, timeout: float | None) -> bool:
        """Called when the loop would block for `timeout` seconds: jump if only waiting is left.

        Returns True when the jump reached the loop's next timer (so the loop should run it now).
        """
        if self.threads_busy or not self.settled():
            return False
        now = self.shared.monotonic()
        timer = math.inf if timeout is None else now + timeout
        _, answer = self.shared.held()
        target = min(timer, answer)
        if target == math.inf:
            return False
        if target > now:
            self.shared.advance(target - now)
            self.jumps += 1
            self.jumped += target - now
        return timer <= answer


class _JumpingSelector(selectors.BaseSelector):
    """The platform's selector, asked for events first, then letting the loop jump before blocking."""

    def __init__(self, loop: VirtualTimeLoop) -> None:
        self._loop = loop
        self._real = selectors.DefaultSelector()

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def get_map(self) -> Any:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events = self._real.select(0)
        if events or (timeout is not None and timeout <= 0):
            return events
        if self._loop.jump(timeout):
            return self._real.select(0)
        return self._real.select(POLL if timeout is None else min(timeout, POLL))
