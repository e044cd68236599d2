"""Subscriptions: which topics each channel follows, with the topic cap held under any concurrency."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.domain.channel import ChannelRef
from bot.domain.replies import TopicEntry
from bot.infra.storage.channels import ChannelScoped, _pk
from bot.infra.storage.tables import ChannelRow, SubscriptionRow, UTCDateTime
from bot.ports import TopicAdded


class SqlSubscriptions(ChannelScoped):
    """The `subscriptions` table behind the Subscriptions port."""

    async def topics(self, ref: ChannelRef) -> list[TopicEntry]:
        """The channel's topics in the order they were added, numbered from 1."""
        async with self._sessions() as session:
            row = await self._channel_row(session, ref)
            if row is None:
                return []
            query = (
                select(SubscriptionRow)
                .where(SubscriptionRow.channel_pk == row.id)
                .order_by(col(SubscriptionRow.id))
            )
            subs = (await session.exec(query)).all()
            return [
                TopicEntry(
                    number=n, topic=s.topic, added_by=s.added_by, added_at=s.added_at or self._clock.now()
                )
                for n, s in enumerate(subs, start=1)
            ]

    async def distinct_topics(self) -> list[str]:
        """Every topic some channel follows, once each."""
        async with self._sessions() as session:
            query = select(SubscriptionRow.topic).distinct()
            return list((await session.exec(query)).all())

    async def add_topic(
        self, ref: ChannelRef, topic: str, added_by: str, *, cap: int | None = None
    ) -> TopicAdded:
        """Subscribe, unless the channel follows this topic already or `cap` topics.

        The cap holds under any concurrency, across processes: the count and the insert are one
        statement, run while the channel's row is locked (PostgreSQL; SQLite writes one at a time).
        """
        async with self._sessions() as session:
            channel = await self._require_channel(session, ref)
            pk = _pk(channel)
            follows = select(SubscriptionRow.id).where(
                SubscriptionRow.channel_pk == pk, SubscriptionRow.topic == topic
            )
            if (await session.exec(follows)).first() is not None:
                return TopicAdded.ALREADY
            await session.exec(select(ChannelRow.id).where(ChannelRow.id == pk).with_for_update())
            count = (
                sa.select(sa.func.count())
                .select_from(SubscriptionRow)
                .where(col(SubscriptionRow.channel_pk) == pk)
                .scalar_subquery()
            )
            values = sa.select(
                sa.literal(pk),
                sa.literal(topic, sa.String()),
                sa.literal(added_by, sa.String()),
                sa.literal(self._clock.now(), UTCDateTime()),
            )
            if cap is not None:
                values = values.where(count < cap)
            insert = (
                sa.insert(SubscriptionRow)
                .from_select(["channel_pk", "topic", "added_by", "added_at"], values)
                .returning(col(SubscriptionRow.id))
            )
            try:
                inserted = (await session.exec(insert)).first()
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return TopicAdded.ALREADY
            return TopicAdded.FULL if inserted is None else TopicAdded.ADDED

    async def remove_topic(self, ref: ChannelRef, topic: str) -> bool:
        """Unsubscribe; False when the channel did not follow it."""
        async with self._sessions() as session:
            channel = await self._require_channel(session, ref)
            result = await session.exec(
                sa.delete(SubscriptionRow).where(
                    col(SubscriptionRow.channel_pk) == channel.id,
                    col(SubscriptionRow.topic) == topic,
                )
            )
            await session.commit()
            return bool(result.rowcount)
