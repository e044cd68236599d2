"""Each channel's mutes, with their cap enforced by the database (as the topic cap is)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.channel import ChannelRef
from bot.infra.storage.tables import ChannelRow, MuteRow, UTCDateTime
from bot.ports import MuteAdded

KEYS_PER_QUERY = 500


class MuteStore:
    """Add, remove and read the muted terms of channels: the `Mutes` port on the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._mutes: Any = MuteRow.__table__  # type: ignore[attr-defined]
        self._channels: Any = ChannelRow.__table__  # type: ignore[attr-defined]

    async def add(self, ref: ChannelRef, term: str, added_by: str, at: datetime, *, cap: int) -> MuteAdded:
        """Mute a term, unless the channel has already, or has `cap` mutes.

        The cap holds under any concurrency, across processes: the count and the insert are one
        statement, run while the channel's row is locked (PostgreSQL; SQLite writes one at a time).
        """
        mutes = self._mutes
        try:
            async with self._engine.begin() as connection:
                pk = await self._pk(connection, ref, lock=True)
                if pk is None:  # the engine makes the channel before any command; be safe anyway
                    return MuteAdded.FULL
                already = sa.select(mutes.c.id).where(mutes.c.channel_pk == pk, mutes.c.term == term)
                if (await connection.execute(already)).first() is not None:
                    return MuteAdded.ALREADY
                count = sa.select(sa.func.count()).where(mutes.c.channel_pk == pk).scalar_subquery()
                values = sa.select(
                    sa.literal(pk),
                    sa.literal(term, sa.String()),
                    sa.literal(added_by[:200], sa.String()),
                    sa.literal(at, UTCDateTime()),
                ).where(count < cap)
                insert = (
                    sa.insert(mutes)
                    .from_select(["channel_pk", "term", "added_by", "added_at"], values)
                    .returning(mutes.c.id)
                )
                inserted = (await connection.execute(insert)).first()
        except IntegrityError:  # the same term, muted at the same moment by someone else
            return MuteAdded.ALREADY
        return MuteAdded.FULL if inserted is None else MuteAdded.ADDED

    async def remove(self, ref: ChannelRef, term: str) -> bool:
        """Unmute; False when the channel had not muted it."""
        async with self._engine.begin() as connection:
            pk = await self._pk(connection, ref)
            if pk is None:
                return False
            mutes = self._mutes
            result = await connection.execute(
                sa.delete(mutes).where(mutes.c.channel_pk == pk, mutes.c.term == term)
            )
            return bool(result.rowcount)

    async def of_channel(self, ref: ChannelRef) -> list[str]:
        """The channel's mutes in the order they were added."""
        async with self._engine.connect() as connection:
            pk = await self._pk(connection, ref)
            if pk is None:
                return []
            return (await self.of_channels([pk], connection)).get(pk, [])

    async def of_channels(
        self, pks: Sequence[int], connection: AsyncConnection | None = None
    ) -> dict[int, list[str]]:
        """Each channel's mutes in the order they were added; channels without any are left out."""
        if connection is None:
            async with self._engine.connect() as fresh:
                return await self.of_channels(pks, fresh)
        found: dict[int, list[str]] = defaultdict(list)
        mutes = self._mutes
        for start in range(0, len(pks), KEYS_PER_QUERY):
            chunk = list(pks[start : start + KEYS_PER_QUERY])
            query = (
                sa.select(mutes.c.channel_pk, mutes.c.term)
                .where(mutes.c.channel_pk.in_(chunk))
                .order_by(mutes.c.id)
            )
            for pk, term in (await connection.execute(query)).all():
                found[pk].append(term)
        return dict(found)

    async def _pk(self, connection: AsyncConnection, ref: ChannelRef, *, lock: bool = False) -> int | None:
        channels = self._channels
        query = sa.select(channels.c.id).where(
            channels.c.platform == ref.platform,
            channels.c.workspace == ref.workspace,
            channels.c.channel_id == ref.channel_id,
        )
        if lock:
            query = query.with_for_update()
        row = (await connection.execute(query)).first()
        return None if row is None else int(row[0])
