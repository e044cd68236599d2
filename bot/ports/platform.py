"""What chat adapters keep between runs and across processes."""

from __future__ import annotations

from typing import Protocol


class PlatformStateStore(Protocol):
    """Named values an adapter keeps between runs (Discord's command fingerprint)."""

    async def get(self, name: str) -> str | None:
        """The value stored under `name`, if any."""
        ...

    async def put(self, name: str, value: str) -> None:
        """Store `value` under `name`, replacing what was there."""
        ...


class SeenRequestLog(Protocol):
    """Replay protection every process shares: the ids of recently delivered requests."""

    async def first_time(self, key: str) -> bool:
        """True when no process saw `key` lately; it is remembered from now on."""
        ...
