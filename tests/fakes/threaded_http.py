"""The life of a fake served by the standard library's threaded HTTP server, shared by the sync fakes.

A fake subclasses `ThreadedHttpFake`, says how to answer (`handler_class`) and what to let go of on
`stop()` (`_release_waiters`), and gets `start`/`stop`, `with`, `url` and a standalone `serve_until_stopped`.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class ThreadedHttpFake:
    """A fake listening on 127.0.0.1 in a daemon thread, from `start()` (or `with`) until `stop()`."""

    thread_name = "fake-http"

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        """The request handler, bound to this fake."""
        raise NotImplementedError

    def _release_waiters(self) -> None:
        """Let stalled or held responses go, so `stop()` does not wait for them."""

    def start(self, port: int = 0) -> Self:
        """Listen on 127.0.0.1 (any free port by default) in a daemon thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self.handler_class())
        self._server.daemon_threads = True
        # A short poll interval makes `stop()` quick.
        serve = partial(self._server.serve_forever, poll_interval=0.02)
        threading.Thread(target=serve, daemon=True, name=self.thread_name).start()
        return self

    def stop(self) -> None:
        """Stop listening, releasing whatever responses are still waiting."""
        self._release_waiters()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:54321`."""
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"


def serve_until_stopped(fake: ThreadedHttpFake, port: int, announce: Callable[[], str]) -> None:
    """Serve from the command line: print `announce()` once listening; stop on SIGTERM or Ctrl-C."""
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    fake.start(port)
    print(announce(), flush=True)
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
