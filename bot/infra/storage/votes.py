"""The team's votes: one per member per paper per channel, changeable, read in batches by the ranking.

A real vote (a button, a reaction, `like`/`dislike`, "Not relevant") replaces whatever the member
said before; a weak 👍 (Explain on an item, a question in its thread) is written only where the
member has no vote yet. The unique (channel, paper, member) key makes two presses one vote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.channel import ChannelRef
from bot.domain.clock import Clock
from bot.domain.votes import DOWN, UP, ChannelVote, VoteChange, VoteFigures
from bot.infra.storage.database import session_factory
from bot.infra.storage.tables import ChannelRow, VoteRow

KEYS_PER_QUERY = 500


class Votes:
    """The `VoteStore` on the database (SQLite or PostgreSQL)."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._sessions = session_factory(engine)
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    async def record(
        self, channel: ChannelRef, arxiv_id: str, user_id: str, *, up: bool, weak: bool = False
    ) -> VoteChange:
        """Keep the member's vote (a weak 👍 never replaces a real vote); what it changed."""
        value = UP if up else DOWN
        async with self._sessions() as session:
            pk = await _channel_pk(session, channel)
            if pk is None:
                raise LookupError(f"channel {channel.key} is not stored")
            before = (
                await session.exec(
                    select(VoteRow.value, VoteRow.weak).where(
                        VoteRow.channel_pk == pk, VoteRow.arxiv_id == arxiv_id, VoteRow.user_id == user_id
                    )
                )
            ).first()
            change = _change(before, value, weak)
            if change in (VoteChange.SAME, VoteChange.KEPT):
                return change
            table = VoteRow.__table__  # type: ignore[attr-defined]
            row = {"channel_pk": pk, "arxiv_id": arxiv_id, "user_id": user_id, "value": value}
            insert = self._insert(table).values(**row, weak=weak, voted_at=self._clock.now())
            keys = ["channel_pk", "arxiv_id", "user_id"]
            if weak:  # a press that raced in first wins over the weak 👍
                statement = insert.on_conflict_do_nothing(index_elements=keys)
            else:
                excluded = insert.excluded
                statement = insert.on_conflict_do_update(
                    index_elements=keys,
                    set_={"value": excluded.value, "weak": excluded.weak, "voted_at": excluded.voted_at},
                )
            await session.exec(statement)
            await session.commit()
            return change

    async def figures(self, channel: ChannelRef, since: datetime) -> VoteFigures:
        """The channel's share of 👍 among items voted since `since`, and its vote counts."""
        async with self._sessions() as session:
            pk = await _channel_pk(session, channel)
        if pk is None:
            return VoteFigures()
        return (await self._figures([pk], since)).get(pk, VoteFigures())

    async def all_figures(self, since: datetime) -> list[tuple[ChannelRef, VoteFigures]]:
        """Every channel with votes, with its figures, in the order the channels were created."""
        async with self._sessions() as session:
            query = (
                select(ChannelRow)
                .where(col(ChannelRow.id).in_(select(VoteRow.channel_pk).distinct()))
                .order_by(col(ChannelRow.id))
            )
            channels = (await session.exec(query)).all()
        figures = await self._figures([row.id or 0 for row in channels], since)
        return [
            (ChannelRef(row.platform, row.workspace, row.channel_id, row.name), figures[row.id or 0])
            for row in channels
        ]

    async def channel_votes(self, pks: Sequence[int]) -> dict[int, list[ChannelVote]]:
        """Each channel's votes by channel primary key (one a member and paper), a few queries in all."""
        found: dict[int, list[ChannelVote]] = defaultdict(list)
        async with self._sessions() as session:
            for start in range(0, len(pks), KEYS_PER_QUERY):
                chunk = list(pks[start : start + KEYS_PER_QUERY])
                query = (
                    select(VoteRow.channel_pk, VoteRow.arxiv_id, VoteRow.value, VoteRow.weak)
                    .where(col(VoteRow.channel_pk).in_(chunk))
                    .order_by(col(VoteRow.id))
                )
                for pk, arxiv_id, value, weak in (await session.exec(query)).all():
                    found[pk].append(ChannelVote(arxiv_id, value, weak))
        return found

    async def _figures(self, pks: Sequence[int], since: datetime) -> dict[int, VoteFigures]:
        counts: dict[int, dict[bool, int]] = defaultdict(lambda: {False: 0, True: 0})
        items: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # voted, liked
        async with self._sessions() as session:
            for start in range(0, len(pks), KEYS_PER_QUERY):
                chunk = list(pks[start : start + KEYS_PER_QUERY])
                by_kind = (
                    select(VoteRow.channel_pk, VoteRow.weak, sa.func.count())
                    .where(col(VoteRow.channel_pk).in_(chunk))
                    .group_by(col(VoteRow.channel_pk), col(VoteRow.weak))
                )
                for pk, weak, count in (await session.exec(by_kind)).all():
                    counts[pk][bool(weak)] = int(count)
                by_item = (
                    select(VoteRow.channel_pk, sa.func.sum(VoteRow.value))
                    .where(
                        col(VoteRow.channel_pk).in_(chunk),
                        col(VoteRow.weak).is_(False),
                        col(VoteRow.voted_at) >= since,
                    )
                    .group_by(col(VoteRow.channel_pk), col(VoteRow.arxiv_id))
                )
                for pk, total in (await session.exec(by_item)).all():
                    items[pk][0] += 1
                    items[pk][1] += int(total) > 0
        return {
            pk: VoteFigures(
                voted_items=items[pk][0],
                liked_items=items[pk][1],
                votes=counts[pk][False],
                weak_votes=counts[pk][True],
            )
            for pk in pks
        }


def _change(before: tuple[int, bool] | None, value: int, weak: bool) -> VoteChange:
    """What a vote does to the member's earlier one (`before`: its value and weakness)."""
    if before is None:
        return VoteChange.NEW
    old_value, old_weak = before
    if weak:
        return VoteChange.KEPT if not old_weak else VoteChange.SAME
    if old_weak:
        return VoteChange.NEW
    return VoteChange.SAME if old_value == value else VoteChange.CHANGED


async def _channel_pk(session: AsyncSession, ref: ChannelRef) -> int | None:
    query = select(ChannelRow.id).where(
        ChannelRow.platform == ref.platform,
        ChannelRow.workspace == ref.workspace,
        ChannelRow.channel_id == ref.channel_id,
    )
    return (await session.exec(query)).first()
