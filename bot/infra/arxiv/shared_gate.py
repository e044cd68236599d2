"""The request gate shared by every process on one database: arXiv's 3 seconds are per deployment.

PostgreSQL: a session-level advisory lock on a connection of the gate's own, and the row
`arxiv_gate` holding when the last request ended, on the server's clock (so machines with
different clocks agree). SQLite: an `flock` on `<database>.arxiv-gate` beside the database file,
which holds that time itself. Either way the lock dies with its process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

from bot.infra.arxiv.gate import Clock, CrossProcessLock, GateUnavailable, RequestGate
from bot.infra.storage.database import describe_error

log = logging.getLogger(__name__)

# Any fixed 64-bit number; advisory locks are per database (leader ...02, migrations ...01).
GATE_LOCK_KEY = 0x7061_7065_7262_6F03
GATE_ROW = 1


class FileGateLock:
    """An exclusive `flock` on a file that holds the wall-clock time the last request ended."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._locked = False

    def acquire(self) -> float | None:
        """Wait for the flock; seconds since the time written in the file."""
        import fcntl

        try:
            if self._fd is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._locked = True
            text = os.pread(self._fd, 64, 0).decode("ascii", "replace").strip()
        except OSError as error:
            self._drop()
            raise GateUnavailable(f"arXiv request gate: cannot lock {self.path}: {error}") from error
        if not text:
            return None
        try:
            return time.time() - float(text)
        except ValueError:
            return 0.0  # a torn write: wait a whole interval to be safe

    def release(self) -> None:
        """Write now into the file and unlock it."""
        import fcntl

        if self._fd is None or not self._locked:
            return
        try:
            stamp = f"{time.time():.6f}\n".encode()
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, stamp, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._locked = False
        except OSError as error:
            log.warning("arXiv request gate: could not release %s: %s", self.path, error)
            self._drop()

    def close(self) -> None:
        """Close the file (which drops the lock if it is held)."""
        self._drop()

    def _drop(self) -> None:
        self._locked = False
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


class PostgresGateLock:
    """`pg_advisory_lock` on a dedicated autocommit connection, and the `arxiv_gate` row."""

    def __init__(self, database_url: str, key: int = GATE_LOCK_KEY) -> None:
        # The gate runs in worker threads: a synchronous psycopg connection, outside the app's pool.
        url = make_url(database_url).set(drivername="postgresql+psycopg")
        self._engine = sa.create_engine(url, poolclass=NullPool)
        self._key = key
        self._connection: Connection | None = None
        self._locked = False

    def acquire(self) -> float | None:
        """Wait for the advisory lock; seconds since the last request ended, on the server's clock."""
        try:
            if self._connection is None:
                connection = self._engine.connect()
                self._connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            self._connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": self._key})
            self._locked = True
            since = self._connection.execute(
                sa.text("SELECT EXTRACT(EPOCH FROM clock_timestamp() - last_request_end) FROM arxiv_gate"
                        " WHERE id = :row"),
                {"row": GATE_ROW},
            ).scalar()  # fmt: skip
        except (sa.exc.SQLAlchemyError, OSError) as error:
            self._drop()
            reason = describe_error(error)
            raise GateUnavailable(f"arXiv request gate: database unavailable ({reason})") from error
        return None if since is None else float(since)

    def release(self) -> None:
        """Record the end of the request and unlock."""
        if self._connection is None or not self._locked:
            return
        try:
            self._connection.execute(
                sa.text("INSERT INTO arxiv_gate (id, last_request_end) VALUES (:row, clock_timestamp())"
                        " ON CONFLICT (id) DO UPDATE SET last_request_end = EXCLUDED.last_request_end"),
                {"row": GATE_ROW},
            )  # fmt: skip
            self._connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            self._locked = False
        except (sa.exc.SQLAlchemyError, OSError) as error:
            # Closing the connection frees the lock on the server.
            log.warning("arXiv request gate: could not release the lock (%s)", describe_error(error))
            self._drop()

    def close(self) -> None:
        """Close the connection (the server frees the lock with it)."""
        self._drop()
        self._engine.dispose()

    def _drop(self) -> None:
        self._locked = False
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None


def cross_process_lock(database_url: str) -> CrossProcessLock | None:
    """The lock every process on this database shares; None for an in-memory database (one process)."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresGateLock(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return FileGateLock(database.with_name(database.name + ".arxiv-gate"))
    return None


def gate_for_database(database_url: str, min_interval: float, clock: Clock | None = None) -> RequestGate:
    """The request gate for a deployment: spaced across every process on `database_url`."""
    return RequestGate(min_interval, clock, shared=cross_process_lock(database_url))
