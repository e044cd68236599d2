"""The real wall clock."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """Aware UTC now from the system."""

    def now(self) -> datetime:
        """The current time."""
        return datetime.now(UTC)
