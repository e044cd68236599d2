"""Deliveries: the ledger of what each channel has, claimed before a post and confirmed after."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.domain.channel import ChannelRef
from bot.domain.paper import Paper
from bot.infra.storage.channels import ChannelScoped, _pk
from bot.infra.storage.tables import ChannelRow, DeliveryRow
from bot.ports import PendingClaim

PAPER_BATCH = 500


class SqlDeliveries(ChannelScoped):
    """The `deliveries` table behind the DeliveryLedger and ThreadLookup ports."""

    async def delivered_ids(self, ref: ChannelRef, ids: Iterable[str]) -> set[str]:
        """Which of these papers the channel already has (or is being sent)."""
        wanted = list(ids)
        async with self._sessions() as session:
            channel = await self._channel_row(session, ref)
            if channel is None or not wanted:
                return set()
            found: set[str] = set()
            for start in range(0, len(wanted), PAPER_BATCH):
                chunk = wanted[start : start + PAPER_BATCH]
                query = select(DeliveryRow.arxiv_id).where(
                    DeliveryRow.channel_pk == channel.id, col(DeliveryRow.arxiv_id).in_(chunk)
                )
                found.update((await session.exec(query)).all())
            return found

    async def record_intent(self, ref: ChannelRef, papers: Sequence[Paper], run_id: str) -> list[str]:
        """Claim papers for a channel before posting; returns the ids this run may post."""
        claimed: set[str] = set()
        async with self._sessions() as session:
            channel = await self._require_channel(session, ref)
            # Every run inserts in the same order, so two runs racing on PostgreSQL wait for each
            # other on the first shared paper instead of deadlocking on a crossed pair.
            for paper in sorted(papers, key=lambda p: p.arxiv_id):
                row = DeliveryRow(
                    channel_pk=_pk(channel),
                    arxiv_id=paper.arxiv_id,
                    version=paper.version,
                    status="pending",
                    run_id=run_id,
                    created_at=self._clock.now(),
                )
                try:
                    async with session.begin_nested():
                        session.add(row)
                    claimed.add(paper.arxiv_id)
                except IntegrityError:
                    pass
            await session.commit()
        return [paper.arxiv_id for paper in papers if paper.arxiv_id in claimed]

    async def confirm_delivery(self, ref: ChannelRef, arxiv_id: str, message_ref: str) -> None:
        """The platform accepted the post: the paper is delivered."""
        async with self._sessions() as session:
            channel = await self._require_channel(session, ref)
            await session.exec(
                sa.update(DeliveryRow)
                .where(col(DeliveryRow.channel_pk) == channel.id, col(DeliveryRow.arxiv_id) == arxiv_id)
                .values(status="posted", posted_at=self._clock.now(), message_ref=message_ref)
            )
            await session.commit()

    async def release_intent(self, ref: ChannelRef, arxiv_ids: Sequence[str]) -> None:
        """Give back claims whose post failed, so the papers stay due."""
        if not arxiv_ids:
            return
        async with self._sessions() as session:
            channel = await self._require_channel(session, ref)
            await session.exec(
                sa.delete(DeliveryRow).where(
                    col(DeliveryRow.channel_pk) == channel.id,
                    col(DeliveryRow.arxiv_id).in_(list(arxiv_ids)),
                    col(DeliveryRow.status) == "pending",
                )
            )
            await session.commit()

    async def pending_deliveries(self, ref: ChannelRef | None = None) -> list[PendingClaim]:
        """Claims not yet confirmed (in one channel, or everywhere), oldest first."""
        async with self._sessions() as session:
            query = (
                select(DeliveryRow, ChannelRow)
                .join(ChannelRow, col(ChannelRow.id) == col(DeliveryRow.channel_pk))
                .where(DeliveryRow.status == "pending")
                .order_by(col(DeliveryRow.id))
            )
            if ref is not None:
                query = query.where(
                    ChannelRow.platform == ref.platform,
                    ChannelRow.workspace == ref.workspace,
                    ChannelRow.channel_id == ref.channel_id,
                )
            rows = (await session.exec(query)).all()
            return [
                PendingClaim(
                    channel=ChannelRef(ch.platform, ch.workspace, ch.channel_id, ch.name),
                    arxiv_id=delivery.arxiv_id,
                    run_id=delivery.run_id,
                )
                for delivery, ch in rows
            ]

    async def delivered_since(self, ref: ChannelRef, since: datetime | None) -> int:
        """Papers posted (or still claimed) in the channel after `since` (ever, when None)."""
        async with self._sessions() as session:
            channel = await self._channel_row(session, ref)
            if channel is None:
                return 0
            query = select(sa.func.count()).where(DeliveryRow.channel_pk == channel.id)
            if since is not None:
                query = query.where(
                    sa.or_(
                        sa.and_(col(DeliveryRow.status) == "posted", col(DeliveryRow.posted_at) > since),
                        sa.and_(col(DeliveryRow.status) == "pending", col(DeliveryRow.created_at) > since),
                    )
                )
            return int((await session.exec(query)).one())

    async def paper_for_message(self, ref: ChannelRef, message_ref: str) -> str | None:
        """The paper a posted digest item is, by the platform's message id (threads ask about it)."""
        async with self._sessions() as session:
            channel = await self._channel_row(session, ref)
            if channel is None or not message_ref:
                return None
            query = select(DeliveryRow.arxiv_id).where(
                DeliveryRow.channel_pk == channel.id, DeliveryRow.message_ref == message_ref
            )
            return (await session.exec(query)).first()

    async def posted_count(self, ref: ChannelRef) -> int:
        """How many papers the channel has received."""
        async with self._sessions() as session:
            channel = await self._channel_row(session, ref)
            if channel is None:
                return 0
            query = select(sa.func.count()).where(
                DeliveryRow.channel_pk == channel.id, DeliveryRow.status == "posted"
            )
            return int((await session.exec(query)).one())
