"""arXiv busy with one request until the test lets it end, so a test sees who queues behind it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from types import TracebackType

from bot.infra.arxiv import Priority, RequestGate


class HeldGate:
    """`with HeldGate(gate):` a request holds the gate's one slot (the listing's, say) until the block
    ends; requests made meanwhile wait at the gate in their real order (`gate.waiting` counts them)."""

    def __init__(self, gate: RequestGate) -> None:
        self.gate = gate
        self._entered = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._hold, name="held-gate", daemon=True)

    def _hold(self) -> None:
        with self.gate.slot(Priority.ON_DEMAND):
            self._entered.set()
            self._release.wait(30)

    def __enter__(self) -> HeldGate:
        self._thread.start()
        assert self._entered.wait(10), "the gate was never free"
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._release.set()
        self._thread.join(10)


async def until(condition: Callable[[], bool], what: str = "", within: float = 10.0) -> None:
    """Wait (polling, never a fixed sleep) for what other tasks and threads will make true."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"never came true: {what or condition}"
        await asyncio.sleep(0.005)
