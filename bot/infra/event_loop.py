"""The one asyncio loop of a `paperboy` command, whose worker threads never hold up its exit."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class DaemonThreads(ThreadPoolExecutor):
    """The loop's default executor (`asyncio.to_thread`): one daemon thread per call.

    A blocking call still running when the command ends (an arXiv request waiting out its
    timeout, say) would otherwise keep the process alive after SIGTERM or Ctrl-C until it
    returned: `asyncio.run` and the interpreter's exit both wait for a pool's threads.
    """

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run `fn` in a new daemon thread."""
        future: Future[T] = Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:
                future.set_exception(error)
            else:
                future.set_result(result)

        threading.Thread(target=work, name="paperboy-worker", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to wait for: the threads die with the process."""


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)`, with `DaemonThreads` as the default executor."""
    with asyncio.Runner() as runner:
        runner.get_loop().set_default_executor(DaemonThreads())
        return runner.run(_naming_leftovers(main))


async def _naming_leftovers(main: Coroutine[Any, Any, T]) -> T:
    """Run `main`; at its end, log the tasks still running, which the loop must now cancel."""
    try:
        return await main
    finally:
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
        if left:
            names = sorted(f"{t.get_name()} {t.get_coro()!r:.80}" for t in left)
            log.info("cancelling %d task(s) still running at exit: %s", len(left), ", ".join(names))
