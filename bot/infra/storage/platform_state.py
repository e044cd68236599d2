"""Small facts a chat adapter keeps between runs, one value per name (Discord's command fingerprint)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.infra.storage.database import session_factory
from bot.infra.storage.tables import PlatformStateRow, utcnow


class PlatformState:
    """Named values in the `platform_state` table, shared by every process on the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = session_factory(engine)

    async def get(self, name: str) -> str | None:
        """The value stored under `name`, if any."""
        async with self._sessions() as session:
            row = await session.get(PlatformStateRow, name)
            return row.value if row is not None else None

    async def put(self, name: str, value: str) -> None:
        """Store `value` under `name`, replacing what was there."""
        for _ in range(2):  # a second process may insert the same name at the same moment
            async with self._sessions() as session:
                row = await session.get(PlatformStateRow, name)
                if row is None:
                    session.add(PlatformStateRow(name=name, value=value, updated_at=utcnow()))
                else:
                    row.value, row.updated_at = value, utcnow()
                try:
                    await session.commit()
                    return
                except IntegrityError:
                    await session.rollback()
        raise RuntimeError(f"could not store {name!r}")
