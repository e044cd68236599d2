"""Feedback: readers' verdicts on papers, one per person, paper and channel."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.domain.channel import ChannelRef
from bot.infra.storage.channels import ChannelScoped, _pk
from bot.infra.storage.tables import FeedbackRow


class SqlFeedback(ChannelScoped):
    """The `feedback` table behind the FeedbackStore port."""

    async def record_feedback(self, ref: ChannelRef, arxiv_id: str, user_id: str, kind: str) -> bool:
        """Remember a verdict; False if this person already said so about this paper here."""
        async with self._sessions() as session:
            channel = await self._require_channel(session, ref)
            session.add(
                FeedbackRow(
                    channel_pk=_pk(channel),
                    arxiv_id=arxiv_id,
                    user_id=user_id,
                    kind=kind,
                    created_at=self._clock.now(),
                )
            )
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False
            return True

    async def feedback_count(self, ref: ChannelRef, arxiv_id: str, kind: str) -> int:
        """How many people gave this verdict on this paper in this channel."""
        async with self._sessions() as session:
            channel = await self._channel_row(session, ref)
            if channel is None:
                return 0
            query = select(sa.func.count()).where(
                FeedbackRow.channel_pk == channel.id,
                FeedbackRow.arxiv_id == arxiv_id,
                FeedbackRow.kind == kind,
            )
            return int((await session.exec(query)).one())
