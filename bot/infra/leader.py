"""One scheduler leader among processes sharing a database; the lock dies with its process.

PostgreSQL: a session-level advisory lock held on a dedicated connection. SQLite: an flock on a
file beside the database. Either way the operating system or the server frees it when the
leader dies, and a follower retrying every few seconds takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from bot import metrics

log = logging.getLogger(__name__)

# Any fixed 64-bit number; advisory locks are per database, so only Paperboys compete for it.
LEADER_LOCK_KEY = 0x7061_7065_7262_6F02
Callback = Callable[[], Awaitable[None]]


class LeaderLock(Protocol):
    """Held by at most one process at a time."""

    async def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        ...

    async def held(self) -> bool:
        """Still ours? (False once the connection to the database is gone.)"""
        ...

    async def release(self) -> None:
        """Let another process lead."""
        ...


class PostgresLeaderLock:
    """`pg_try_advisory_lock` on a connection of its own, outside the pool, in autocommit."""

    def __init__(self, url: str, key: int = LEADER_LOCK_KEY) -> None:
        self._engine = create_async_engine(url, poolclass=NullPool)
        self._key = key
        self._connection: AsyncConnection | None = None
        self._held = False

    async def try_acquire(self) -> bool:
        """One attempt; a database that is down counts as "not now"."""
        try:
            if self._connection is None:
                connection = await self._engine.connect()
                self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            result = await self._connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            self._held = bool(result.scalar())
        except (sa.exc.SQLAlchemyError, OSError) as error:
            log.warning("leader election: database unreachable (%s)", type(error).__name__)
            await self._drop()
        return self._held

    async def held(self) -> bool:
        """The lock lives as long as the session: check that the session does."""
        if self._connection is None or not self._held:
            return False
        try:
            await self._connection.execute(sa.text("SELECT 1"))
            return True
        except (sa.exc.SQLAlchemyError, OSError):
            await self._drop()
            return False

    async def release(self) -> None:
        """Unlock and close the connection."""
        if self._connection is not None and self._held:
            with contextlib.suppress(sa.exc.SQLAlchemyError, OSError):
                await self._connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
        await self._drop()
        await self._engine.dispose()

    async def _drop(self) -> None:
        self._held = False
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None


class FileLeaderLock:
    """An exclusive `flock` on `<database>.leader.lock`; the kernel drops it when the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    async def try_acquire(self) -> bool:
        """Take the flock without waiting."""
        if self._handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{socket.gethostname()} pid {os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    async def held(self) -> bool:
        """An flock stays until we close the file."""
        return self._handle is not None

    async def release(self) -> None:
        """Close the file, which frees the lock."""
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class SoleLeader:
    """An in-memory database has one process by definition."""

    async def try_acquire(self) -> bool:
        """Always."""
        return True

    async def held(self) -> bool:
        """Always."""
        return True

    async def release(self) -> None:
        """Nothing to free."""


def leader_lock_for(database_url: str) -> LeaderLock:
    """The right kind of lock for the database the processes share."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresLeaderLock(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return FileLeaderLock(database.with_name(database.name + ".leader.lock"))
    return SoleLeader()


class LeaderElection:
    """Tries for the lock every `retry_seconds`; calls back when leadership is won or lost."""

    def __init__(
        self,
        lock: LeaderLock,
        *,
        retry_seconds: float,
        on_elected: Callback,
        on_deposed: Callback,
        on_tick: Callback | None = None,
    ) -> None:
        self._lock = lock
        self._retry = retry_seconds
        self._on_elected = on_elected
        self._on_deposed = on_deposed
        self._on_tick = on_tick
        self.is_leader = False
        self.last_error: str | None = None

    async def step(self) -> None:
        """One round: followers try to lead; the leader checks it still does."""
        try:
            if not self.is_leader:
                if await self._lock.try_acquire():
                    self.is_leader = True
                    metrics.set_leader(True)
                    log.info("this process is now the scheduler leader")
                    await self._on_elected()
            elif not await self._lock.held():
                self.is_leader = False
                metrics.set_leader(False)
                log.warning(
                    "lost the scheduler leadership (database connection gone); stopping the scheduler"
                )
                await self._on_deposed()
            elif self._on_tick is not None:
                await self._on_tick()
            self.last_error = None
        except Exception as error:
            self.last_error = f"{type(error).__name__}: {error}"
            metrics.count_error(metrics.ERROR_DATABASE)
            log.exception("leader election step failed")

    async def run(self) -> None:
        """Step forever (until cancelled)."""
        while True:
            await self.step()
            await asyncio.sleep(self._retry)

    async def resign(self) -> None:
        """Give up the lock (at shutdown, once in-flight digests are done)."""
        was_leader = self.is_leader
        self.is_leader = False
        metrics.set_leader(False)
        await self._lock.release()
        if was_leader:
            log.info("scheduler leadership released")
