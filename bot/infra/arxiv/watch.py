"""Cut a download's connection at its deadline, whatever phase it is in (connecting, headers, body).

Socket timeouts bound one read, not a download: a server trickling a byte just before each
timeout could hold the request gate for ever. A download registers a `Watch` for its thread; the
connections our adapter makes report themselves to it when they send, and a timer shuts the socket
down at the deadline, which wakes the blocked read at once.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


class Watch:
    """The connection one download uses; `cut()` ends it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self.cut_off = False

    def attach(self, connection: HTTPConnection) -> None:
        """The download now talks over `connection` (cut at once if the deadline is past)."""
        # The socket itself: http.client forgets it on a `Connection: close` answer, while the
        # response goes on reading from it.
        if connection.sock is None:
            return
        with self._lock:
            self._socket = connection.sock
            cut_off = self.cut_off
        if cut_off:
            _shut(connection.sock)

    def cut(self) -> None:
        """The deadline: shut the connection down, so the reader sees the end of it now."""
        with self._lock:
            self.cut_off = True
            sock = self._socket
        if sock is not None:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def watching(seconds: float) -> Iterator[Watch]:
    """Within this block, this thread's requests are cut `seconds` from now."""
    watch = Watch()
    timer = threading.Timer(max(seconds, 0.0), watch.cut)
    timer.daemon = True
    previous = getattr(_current, "watch", None)
    _current.watch = watch
    timer.start()
    try:
        yield watch
    finally:
        timer.cancel()
        _current.watch = previous


def _report(connection: HTTPConnection) -> None:
    watch: Watch | None = getattr(_current, "watch", None)
    if watch is not None:
        watch.attach(connection)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _report(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _report(self)  # a kept-alive connection does not connect again
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _report(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _report(self)
        super().request(*args, **kwargs)


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


# For `PoolManager.pool_classes_by_scheme`: urllib3's own pools, with connections a Watch can cut.
WATCHED_POOLS: dict[str, type[HTTPConnectionPool]] = {
    "http": _WatchedHTTPConnectionPool,
    "https": _WatchedHTTPSConnectionPool,
}
