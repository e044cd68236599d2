"""When each channel's next digest is due: scheduling as data, so any tick can ask what is due."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.domain.channel import ChannelRef
from bot.domain.schedule import DAY_NAMES, Schedule, next_occurrence, previous_occurrence
from bot.infra.storage.database import session_factory
from bot.infra.storage.tables import ChannelRow, UTCDateTime

log = logging.getLogger(__name__)

KEYS_PER_QUERY = 500
RETRY_UNREADABLE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DueDigest:
    """A channel whose digest fell due, when, and whether it was told the digest is late."""

    ref: ChannelRef
    due_at: datetime
    told_late: bool


def first_due(
    schedule: Schedule, last_digest_at: datetime | None, created_at: datetime | None, now: datetime
) -> datetime:
    """A channel's first digest time: the one it missed since its last digest, else the next one."""
    since = last_digest_at or created_at
    previous = previous_occurrence(schedule, now)
    if since is not None and _utc(since) < previous:
        return previous
    return next_occurrence(schedule, now)


class DigestTimes:
    """Reads and moves `channels.next_digest_at`, the only schedule there is.

    The tick reads ten thousand channels at 09:00: columns, not ORM objects, and one statement per
    batch of writes.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)

    async def due(self, now: datetime, platforms: Collection[str]) -> list[DueDigest]:
        """Unpaused channels of these platforms whose digest time has come, the earliest first.

        Channels without a time yet (new, or stored before times were) get one here: a digest
        missed while the bot was down is due at once, otherwise the next one.
        """
        if not platforms:
            return []
        active = (col(ChannelRow.paused).is_(False), col(ChannelRow.platform).in_(list(platforms)))
        async with self._engine.begin() as connection:
            unset = await connection.execute(
                sa.select(
                    *_ID_KEY, *_SCHEDULE, col(ChannelRow.last_digest_at), col(ChannelRow.created_at)
                ).where(*active, col(ChannelRow.next_digest_at).is_(None))
            )
            times = []
            for row in unset.all():
                first = partial(
                    first_due, last_digest_at=row.last_digest_at, created_at=row.created_at, now=now
                )
                at = _readable_time(row, now, first)
                times.append({"pk": row.id, "at": at})
                if at is not None and at <= now:
                    log.info("catching up on the missed digest of %s", _ref(row).key)
            if times:
                await connection.execute(_SET_NEXT, times)
            rows = await connection.execute(
                sa.select(*_KEY, col(ChannelRow.next_digest_at), col(ChannelRow.late_notice_at))
                .where(*active, col(ChannelRow.next_digest_at) <= now)
                .order_by(col(ChannelRow.next_digest_at), col(ChannelRow.id))
            )
            return [
                DueDigest(
                    _ref(row),
                    _utc(row.next_digest_at),
                    row.late_notice_at is not None and _utc(row.late_notice_at) >= _utc(row.next_digest_at),
                )
                for row in rows.all()
            ]

    async def reschedule(self, ref: ChannelRef, at: datetime | None) -> None:
        """Set the channel's next digest time (None: no scheduled digest, as when paused)."""
        async with self._sessions() as session:
            await session.exec(sa.update(ChannelRow).where(*_is(ref)).values(next_digest_at=at))
            await session.commit()

    async def advance(self, refs: Sequence[ChannelRef], now: datetime) -> None:
        """After a run: each channel's next digest is its first time after `now`."""
        columns = sa.tuple_(ChannelRow.platform, ChannelRow.workspace, ChannelRow.channel_id)
        async with self._engine.begin() as connection:
            for start in range(0, len(refs), KEYS_PER_QUERY):
                keys = [(r.platform, r.workspace, r.channel_id) for r in refs[start : start + KEYS_PER_QUERY]]
                found = await connection.execute(sa.select(*_ID_KEY, *_SCHEDULE).where(columns.in_(keys)))
                times = [
                    {"pk": row.id, "at": _readable_time(row, now, lambda s: next_occurrence(s, now))}
                    for row in found.all()
                ]
                if times:
                    await connection.execute(_SET_NEXT, times)

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


_KEY = (col(ChannelRow.platform), col(ChannelRow.workspace), col(ChannelRow.channel_id), col(ChannelRow.name))
_ID_KEY = (col(ChannelRow.id), *_KEY)
_SCHEDULE = (col(ChannelRow.digest_time), col(ChannelRow.timezone), col(ChannelRow.weekdays))
_SET_NEXT = (
    sa.update(ChannelRow)
    .where(col(ChannelRow.id) == sa.bindparam("pk"))
    .values(next_digest_at=sa.bindparam("at", type_=UTCDateTime()))
)


def _ref(row: Any) -> ChannelRef:
    return ChannelRef(row.platform, row.workspace, row.channel_id, row.name)


def _utc(moment: datetime) -> datetime:
    """Times read by plain selects: SQLite gives them back without a zone; they are UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stored_schedule(digest_time: str, timezone: str, weekdays: str) -> Schedule:
    """A schedule from its stored columns (`09:00`, `Europe/Berlin`, `mon,tue`)."""
    hours, minutes = (int(part) for part in digest_time.split(":"))
    days = frozenset(DAY_NAMES.index(day) for day in weekdays.split(",") if day in DAY_NAMES)
    return Schedule(at=time(hours, minutes), timezone=timezone, weekdays=days)


def _readable_time(row: Any, now: datetime, when: Callable[[Schedule], datetime]) -> datetime | None:
    """The channel's digest time by `when`; a schedule that no longer reads costs only its channel.

    A stored time zone may vanish from a newer tz database: the channel is logged and looked at
    again a day later, and every other channel keeps its schedule.
    """
    try:
        schedule = stored_schedule(row.digest_time, row.timezone, row.weekdays)
        return when(schedule) if schedule.weekdays else None
    except Exception as error:
        log.error("the schedule of %s cannot be read (%s); trying again in a day", _ref(row).key, error)
        return now + RETRY_UNREADABLE


def _is(ref: ChannelRef) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        col(ChannelRow.platform) == ref.platform,
        col(ChannelRow.workspace) == ref.workspace,
        col(ChannelRow.channel_id) == ref.channel_id,
    )
