"""Channels: each one's schedule, cap, pause flag and read mark, and the row look-up other stores share."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.channel import ChannelRef, ChannelState
from bot.domain.clock import Clock, SystemClock
from bot.domain.quality import Quality, read_stored_quality
from bot.domain.schedule import DAY_NAMES, CadenceKind, Schedule, stored_cadence
from bot.infra.storage.database import session_factory
from bot.infra.storage.tables import ChannelRow


class SqlChannels:
    """The `channels` table behind the ChannelStore port."""

    def __init__(
        self,
        engine: AsyncEngine,
        default_schedule: Schedule,
        default_max_papers: int = 10,
        clock: Clock | None = None,
    ):
        self._engine = engine
        self._clock = clock or SystemClock()
        self._sessions = session_factory(engine)
        self._default_schedule = default_schedule
        self._default_max_papers = default_max_papers

    @property
    def engine(self) -> AsyncEngine:
        """The database engine, for stores that share it."""
        return self._engine

    @property
    def clock(self) -> Clock:
        """The clock that stamps rows, for stores that share it."""
        return self._clock

    async def ensure_channel(self, ref: ChannelRef) -> ChannelState:
        """The channel's state, creating it with the defaults the first time it speaks."""
        async with self._sessions() as session:
            row = await self._channel_row(session, ref)
            if row is None:
                row = ChannelRow(
                    platform=ref.platform,
                    workspace=ref.workspace,
                    channel_id=ref.channel_id,
                    name=ref.name,
                    timezone=self._default_schedule.timezone,
                    digest_time=f"{self._default_schedule.at:%H:%M}",
                    weekdays=self._default_schedule.cron_days,
                    cadence=self._default_schedule.cadence.kind.value,
                    max_papers=self._default_max_papers,
                    created_at=self._clock.now(),
                )
                session.add(row)
                try:
                    await session.commit()
                except IntegrityError:  # created meanwhile by another handler
                    await session.rollback()
                    row = await self._channel_row(session, ref)
                    assert row is not None
            elif ref.name and row.name != ref.name:
                row.name = ref.name
                await session.commit()
            return _channel_state(row)

    async def get_channel(self, ref: ChannelRef) -> ChannelState | None:
        """The channel's state, or None if it never spoke to us."""
        async with self._sessions() as session:
            row = await self._channel_row(session, ref)
            return _channel_state(row) if row else None

    async def all_channels(self) -> list[ChannelState]:
        """Every known channel, for the scheduler."""
        async with self._sessions() as session:
            rows = (await session.exec(select(ChannelRow).order_by(col(ChannelRow.id)))).all()
            return [_channel_state(row) for row in rows]

    async def update_channel(
        self,
        ref: ChannelRef,
        *,
        schedule: Schedule | None = None,
        paused: bool | None = None,
        max_papers: int | None = None,
        quality: Quality | None = None,
    ) -> ChannelState:
        """Change a channel's schedule, pause flag, cap or quality."""
        async with self._sessions() as session:
            row = await self._require_channel(session, ref)
            if schedule is not None:
                row.digest_time = f"{schedule.at:%H:%M}"
                row.timezone = schedule.timezone
                row.weekdays = schedule.cron_days
                row.cadence = schedule.cadence.kind.value
            if paused is not None:
                row.paused = paused
            if max_papers is not None:
                row.max_papers = max_papers
            if quality is not None:
                row.quality = quality.text
            await session.commit()
            return _channel_state(row)

    async def mark_digest_done(self, ref: ChannelRef, at: datetime, covered_through: date | None) -> None:
        """Remember when the channel last got a digest and through which announcement day."""
        async with self._sessions() as session:
            row = await self._require_channel(session, ref)
            row.last_digest_at = at
            if covered_through is not None:
                row.covered_through = max(covered_through, row.covered_through or covered_through)
            await session.commit()

    async def require_row(self, session: AsyncSession, ref: ChannelRef) -> ChannelRow:
        """The channel's row in this session, creating the channel first if it never spoke."""
        row = await self._channel_row(session, ref)
        if row is None:
            await self.ensure_channel(ref)
            row = await self._channel_row(session, ref)
        assert row is not None
        return row

    async def _channel_row(self, session: AsyncSession, ref: ChannelRef) -> ChannelRow | None:
        return await channel_row(session, ref)

    async def _require_channel(self, session: AsyncSession, ref: ChannelRef) -> ChannelRow:
        return await self.require_row(session, ref)


class ChannelScoped:
    """A store of rows that belong to a channel: it shares the channels' sessions, clock and look-up."""

    def __init__(self, channels: SqlChannels) -> None:
        self._channels = channels
        self._clock = channels.clock
        self._sessions = session_factory(channels.engine)

    async def _channel_row(self, session: AsyncSession, ref: ChannelRef) -> ChannelRow | None:
        return await channel_row(session, ref)

    async def _require_channel(self, session: AsyncSession, ref: ChannelRef) -> ChannelRow:
        return await self._channels.require_row(session, ref)


async def channel_row(session: AsyncSession, ref: ChannelRef) -> ChannelRow | None:
    """The stored row of this channel, if it ever spoke."""
    query = select(ChannelRow).where(
        ChannelRow.platform == ref.platform,
        ChannelRow.workspace == ref.workspace,
        ChannelRow.channel_id == ref.channel_id,
    )
    return (await session.exec(query)).first()


def _pk(row: ChannelRow) -> int:
    """The primary key of a stored channel row."""
    assert row.id is not None
    return row.id


def _channel_state(row: ChannelRow) -> ChannelState:
    hours, minutes = (int(part) for part in row.digest_time.split(":"))
    weekdays = frozenset(DAY_NAMES.index(day) for day in row.weekdays.split(",") if day in DAY_NAMES)
    weekly = stored_cadence(row.cadence, weekdays).kind is CadenceKind.WEEKLY
    return ChannelState(
        ref=ChannelRef(row.platform, row.workspace, row.channel_id, row.name),
        schedule=Schedule(at=time(hours, minutes), timezone=row.timezone, weekdays=weekdays, weekly=weekly),
        max_papers=row.max_papers,
        paused=row.paused,
        last_digest_at=row.last_digest_at,
        covered_through=row.covered_through,
        created_at=row.created_at,
        quality=read_stored_quality(row.quality),
    )
