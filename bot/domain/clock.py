"""Wall-clock time as an interface, so tests can move it and every layer reads the same clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Wall-clock time."""

    def now(self) -> datetime:
        """The current aware UTC time."""
        ...


class SystemClock:
    """Aware UTC now from the system."""

    def now(self) -> datetime:
        """The current time."""
        return datetime.now(UTC)
