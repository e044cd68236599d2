"""The daily cycle's queries: channels, topics and deliveries of many channels in a few statements.

`Repository` answers for one channel at a time; a cycle over 10,000 channels would make tens of
thousands of round trips that way. Here each batch of channels costs a handful of queries and one
transaction for its claims and one for its confirmations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.domain.channel import ChannelRef
from bot.infra.storage.channels import _channel_state
from bot.infra.storage.database import session_factory
from bot.infra.storage.tables import ChannelRow, DeliveryRow, PaperRow, SubscriptionRow
from bot.ports import Claim, Confirmation, StoredChannel

T = TypeVar("T")

KEYS_PER_QUERY = 500


class DeliveryBatches:
    """Batch reads and writes for `DigestCycle`, with the same rows and rules as `Repository`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)

    async def active_channels(self, after_pk: int, limit: int) -> list[StoredChannel]:
        """The next `limit` unpaused channels by key, for streaming every channel in batches."""
        async with self._sessions() as session:
            query = (
                select(ChannelRow)
                .where(col(ChannelRow.id) > after_pk, col(ChannelRow.paused).is_(False))
                .order_by(col(ChannelRow.id))
                .limit(limit)
            )
            rows = (await session.exec(query)).all()
            return [StoredChannel(row.id or 0, _channel_state(row)) for row in rows]

    async def channels(self, refs: Sequence[ChannelRef]) -> list[StoredChannel]:
        """These channels (those known), in the order given."""
        found: dict[tuple[str, str, str], StoredChannel] = {}
        async with self._sessions() as session:
            for start in range(0, len(refs), KEYS_PER_QUERY):
                keys = [(r.platform, r.workspace, r.channel_id) for r in refs[start : start + KEYS_PER_QUERY]]
                columns = sa.tuple_(ChannelRow.platform, ChannelRow.workspace, ChannelRow.channel_id)
                rows = (await session.exec(select(ChannelRow).where(columns.in_(keys)))).all()
                for row in rows:
                    found[(row.platform, row.workspace, row.channel_id)] = StoredChannel(
                        row.id or 0, _channel_state(row)
                    )
        keyed = ((r.platform, r.workspace, r.channel_id) for r in refs)
        return [found[key] for key in keyed if key in found]

    async def topics(self, pks: Sequence[int]) -> dict[int, list[str]]:
        """Each channel's topics in the order they were added."""
        found: dict[int, list[str]] = defaultdict(list)
        async with self._sessions() as session:
            for chunk in _chunks(pks):
                query = (
                    select(SubscriptionRow.channel_pk, SubscriptionRow.topic)
                    .where(col(SubscriptionRow.channel_pk).in_(chunk))
                    .order_by(col(SubscriptionRow.id))
                )
                for pk, topic in (await session.exec(query)).all():
                    found[pk].append(topic)
        return found

    async def delivered(self, pks: Sequence[int], announced_after: date) -> dict[int, set[str]]:
        """Papers announced after the day that each channel has (or has claimed): the candidates'."""
        found: dict[int, set[str]] = defaultdict(set)
        async with self._sessions() as session:
            for chunk in _chunks(pks):
                query = (
                    select(DeliveryRow.channel_pk, DeliveryRow.arxiv_id)
                    .join(PaperRow, col(PaperRow.arxiv_id) == col(DeliveryRow.arxiv_id))
                    .where(col(DeliveryRow.channel_pk).in_(chunk), col(PaperRow.announced) > announced_after)
                )
                for pk, arxiv_id in (await session.exec(query)).all():
                    found[pk].add(arxiv_id)
        return found

    async def since_last_digest(self, pks: Sequence[int]) -> dict[int, int]:
        """Per channel, papers posted (or claimed) after its last finished digest: an interrupted run's."""
        found: dict[int, int] = defaultdict(int)
        last = col(ChannelRow.last_digest_at)
        after_last = sa.or_(
            last.is_(None),
            sa.and_(col(DeliveryRow.status) == "posted", col(DeliveryRow.posted_at) > last),
            sa.and_(col(DeliveryRow.status) == "pending", col(DeliveryRow.created_at) > last),
        )
        async with self._sessions() as session:
            for chunk in _chunks(pks):
                query = (
                    select(DeliveryRow.channel_pk, sa.func.count())
                    .join(ChannelRow, col(ChannelRow.id) == col(DeliveryRow.channel_pk))
                    .where(col(DeliveryRow.channel_pk).in_(chunk), after_last)
                    .group_by(col(DeliveryRow.channel_pk))
                )
                for pk, count in (await session.exec(query)).all():
                    found[pk] = int(count)
        return found

    async def unsettled(self, pks: Sequence[int]) -> set[int]:
        """Channels holding claims no run has settled (the platform could not tell if they posted)."""
        found: set[int] = set()
        async with self._sessions() as session:
            for chunk in _chunks(pks):
                query = select(DeliveryRow.channel_pk).where(
                    col(DeliveryRow.channel_pk).in_(chunk), DeliveryRow.status == "pending"
                )
                found.update((await session.exec(query)).all())
        return found

    async def claim(self, claims: Sequence[Claim], at: datetime) -> set[tuple[int, str]]:
        """Claim papers in one transaction; returns the (channel, paper) pairs these runs now hold.

        A pair some other run holds already (a concurrent `digest`) is skipped, as in
        `Repository.record_intent`: the unique (channel, paper) key decides.
        """
        if not claims:
            return set()
        insert = _insert_ignoring_duplicates(self._engine.dialect.name)
        rows = [
            {
                "channel_pk": c.channel_pk,
                "arxiv_id": c.arxiv_id,
                "version": c.version,
                "status": "pending",
                "run_id": c.run_id,
                "created_at": at,
                "message_ref": "",
            }
            for c in claims
        ]
        async with self._sessions() as session:
            connection = await session.connection()
            await connection.execute(insert, rows)
            held: set[tuple[int, str]] = set()
            runs = {c.run_id for c in claims}
            for chunk in _chunks(sorted({c.channel_pk for c in claims})):
                # By channel (indexed), then by run: the pairs these runs hold, not another's.
                query = select(DeliveryRow.channel_pk, DeliveryRow.arxiv_id, DeliveryRow.run_id).where(
                    col(DeliveryRow.channel_pk).in_(chunk), DeliveryRow.status == "pending"
                )
                held.update(
                    (pk, arxiv_id) for pk, arxiv_id, run in (await session.exec(query)).all() if run in runs
                )
            await session.commit()
        return held

    async def finish(
        self,
        confirmations: Sequence[Confirmation],
        done: Sequence[int],
        at: datetime,
        covered_through: date | None,
        hold: Collection[int] = (),
    ) -> None:
        """Confirm posts and mark channels' digests done, all in one transaction.

        Channels in `hold` keep their read mark: they have unsettled claims whose papers, once
        released, must still be offered.
        """
        if not confirmations and not done:
            return
        async with self._sessions() as session:
            if confirmations:
                statement = (
                    sa.update(DeliveryRow)
                    .where(
                        col(DeliveryRow.channel_pk) == sa.bindparam("pk"),
                        col(DeliveryRow.arxiv_id) == sa.bindparam("paper"),
                    )
                    .values(status="posted", posted_at=at, message_ref=sa.bindparam("ref"))
                )
                rows = [
                    {"pk": c.channel_pk, "paper": c.arxiv_id, "ref": c.message_ref} for c in confirmations
                ]
                connection = await session.connection()
                await connection.execute(statement, rows)
            for chunk in _chunks(list(done)):
                held = [pk for pk in chunk if pk in hold]
                if held:
                    await session.exec(
                        sa.update(ChannelRow).where(col(ChannelRow.id).in_(held)).values(last_digest_at=at)
                    )
                chunk = [pk for pk in chunk if pk not in hold]
                if not chunk:
                    continue
                values: dict[str, object] = {"last_digest_at": at}
                if covered_through is not None:
                    values["covered_through"] = sa.case(
                        (
                            sa.or_(
                                col(ChannelRow.covered_through).is_(None),
                                col(ChannelRow.covered_through) < covered_through,
                            ),
                            covered_through,
                        ),
                        else_=col(ChannelRow.covered_through),
                    )
                await session.exec(
                    sa.update(ChannelRow).where(col(ChannelRow.id).in_(chunk)).values(**values)
                )
            await session.commit()


def _insert_ignoring_duplicates(dialect: str) -> sa.Insert:
    table = DeliveryRow.__table__  # type: ignore[attr-defined]
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=["channel_pk", "arxiv_id"])
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=["channel_pk", "arxiv_id"])


def _chunks(items: Iterable[T], size: int = KEYS_PER_QUERY) -> Iterable[list[T]]:
    listed = list(items)
    for start in range(0, len(listed), size):
        yield listed[start : start + size]
