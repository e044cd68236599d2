"""When each channel's next digest is due: scheduling as data, so any tick can ask what is due."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.domain.channel import ChannelRef, ChannelState
from bot.domain.schedule import next_occurrence, previous_occurrence
from bot.infra.storage.channels import _channel_state
from bot.infra.storage.database import session_factory
from bot.infra.storage.tables import ChannelRow
from bot.ports import DueDigest

log = logging.getLogger(__name__)

KEYS_PER_QUERY = 500
RETRY_UNREADABLE = timedelta(days=1)


def first_due(channel: ChannelState, now: datetime) -> datetime:
    """A channel's first digest time: the one it missed since its last digest, else the next one."""
    since = channel.last_digest_at or channel.created_at
    previous = previous_occurrence(channel.schedule, now)
    if since is not None and since < previous:
        return previous
    return next_occurrence(channel.schedule, now)


class DigestTimes:
    """Reads and moves `channels.next_digest_at`, the only schedule there is."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = session_factory(engine)

    async def due(self, now: datetime, platforms: Collection[str]) -> list[DueDigest]:
        """Unpaused channels of these platforms whose digest time has come, the earliest first.

        Channels without a time yet (new, or stored before times were) get one here: a digest
        missed while the bot was down is due at once, otherwise the next one.
        """
        if not platforms:
            return []
        active = (col(ChannelRow.paused).is_(False), col(ChannelRow.platform).in_(list(platforms)))
        async with self._sessions() as session:
            unset = (
                await session.exec(
                    select(ChannelRow).where(*active, col(ChannelRow.next_digest_at).is_(None))
                )
            ).all()
            for row in unset:
                row.next_digest_at = _readable_time(row, now, first_due)
                if row.next_digest_at is not None and row.next_digest_at <= now:
                    key = f"{row.platform}:{row.workspace}:{row.channel_id}"
                    log.info("catching up on the missed digest of %s", key)
            await session.commit()
            query = (
                select(ChannelRow)
                .where(*active, col(ChannelRow.next_digest_at) <= now)
                .order_by(col(ChannelRow.next_digest_at), col(ChannelRow.id))
            )
            rows = (await session.exec(query)).all()
        return [
            DueDigest(
                _channel_state(row).ref,
                row.next_digest_at,
                row.late_notice_at is not None and row.late_notice_at >= row.next_digest_at,
            )
            for row in rows
            if row.next_digest_at is not None
        ]

    async def reschedule(self, ref: ChannelRef, at: datetime | None) -> None:
        """Set the channel's next digest time (None: no scheduled digest, as when paused)."""
        async with self._sessions() as session:
            await session.exec(sa.update(ChannelRow).where(*_is(ref)).values(next_digest_at=at))
            await session.commit()

    async def advance(self, refs: Sequence[ChannelRef], now: datetime) -> None:
        """After a run: each channel's next digest is its first time after `now`."""
        async with self._sessions() as session:
            for start in range(0, len(refs), KEYS_PER_QUERY):
                keys = [(r.platform, r.workspace, r.channel_id) for r in refs[start : start + KEYS_PER_QUERY]]
                columns = sa.tuple_(ChannelRow.platform, ChannelRow.workspace, ChannelRow.channel_id)
                for row in (await session.exec(select(ChannelRow).where(columns.in_(keys)))).all():
                    row.next_digest_at = _readable_time(row, now, _next)
            await session.commit()

    async def told_late(self, refs: Sequence[ChannelRef], now: datetime) -> None:
        """These channels were told that their due digest is late (so they are told only once)."""
        async with self._sessions() as session:
            for ref in refs:
                await session.exec(sa.update(ChannelRow).where(*_is(ref)).values(late_notice_at=now))
            await session.commit()

    async def next_digest_at(self, ref: ChannelRef) -> datetime | None:
        """When the channel's next scheduled digest is due, if one is."""
        async with self._sessions() as session:
            query = select(ChannelRow.next_digest_at).where(*_is(ref))
            return (await session.exec(query)).first()


def _next(channel: ChannelState, now: datetime) -> datetime:
    return next_occurrence(channel.schedule, now)


def _readable_time(
    row: ChannelRow, now: datetime, when: Callable[[ChannelState, datetime], datetime]
) -> datetime | None:
    """The channel's digest time by `when`; a schedule that no longer reads costs only its channel.

    A stored time zone may vanish from a newer tz database: the channel is logged and looked at
    again a day later, and every other channel keeps its schedule.
    """
    try:
        state = _channel_state(row)
        return when(state, now) if state.schedule.weekdays else None
    except Exception as error:
        log.error("the schedule of %s:%s:%s cannot be read (%s); trying again in a day",
                  row.platform, row.workspace, row.channel_id, error)  # fmt: skip
        return now + RETRY_UNREADABLE


def _is(ref: ChannelRef) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        col(ChannelRow.platform) == ref.platform,
        col(ChannelRow.workspace) == ref.workspace,
        col(ChannelRow.channel_id) == ref.channel_id,
    )
