"""The repository: every per-channel store behind one object, for services that need several kinds.

Each kind of data lives in its own module (channels, subscriptions, papers, listings, deliveries;
votes in `votes.py`); this class only hands each call to the store that owns it. It satisfies the
`Storage` port, and each of its parts the narrower port of its kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.channel import ChannelRef, ChannelState
from bot.domain.clock import Clock
from bot.domain.paper import Paper
from bot.domain.quality import Quality
from bot.domain.replies import TopicEntry
from bot.domain.schedule import Schedule
from bot.infra.storage.channels import SqlChannels
from bot.infra.storage.deliveries import SqlDeliveries
from bot.infra.storage.listings import SqlListingLog
from bot.infra.storage.papers import SqlPapers
from bot.infra.storage.subscriptions import SqlSubscriptions
from bot.ports import ListingFetch, PendingClaim, TopicAdded


class Repository:
    """Channels, subscriptions, papers, listings and deliveries, on one database."""

    def __init__(
        self,
        engine: AsyncEngine,
        default_schedule: Schedule,
        default_max_papers: int = 10,
        clock: Clock | None = None,
    ):
        self.channels = SqlChannels(engine, default_schedule, default_max_papers, clock)
        self.subscriptions = SqlSubscriptions(self.channels)
        self.papers_store = SqlPapers(engine, self.channels.clock)
        self.listings = SqlListingLog(engine, self.channels.clock)
        self.deliveries = SqlDeliveries(self.channels)

    @property
    def engine(self) -> AsyncEngine:
        """The database engine, for stores that share it."""
        return self.channels.engine

    # Channels

    async def ensure_channel(self, ref: ChannelRef) -> ChannelState:
        """See `SqlChannels.ensure_channel`."""
        return await self.channels.ensure_channel(ref)

    async def get_channel(self, ref: ChannelRef) -> ChannelState | None:
        """See `SqlChannels.get_channel`."""
        return await self.channels.get_channel(ref)

    async def all_channels(self) -> list[ChannelState]:
        """See `SqlChannels.all_channels`."""
        return await self.channels.all_channels()

    async def update_channel(
        self,
        ref: ChannelRef,
        *,
        schedule: Schedule | None = None,
        paused: bool | None = None,
        max_papers: int | None = None,
        quality: Quality | None = None,
    ) -> ChannelState:
        """See `SqlChannels.update_channel`."""
        return await self.channels.update_channel(
            ref, schedule=schedule, paused=paused, max_papers=max_papers, quality=quality
        )

    async def mark_digest_done(self, ref: ChannelRef, at: datetime, covered_through: date | None) -> None:
        """See `SqlChannels.mark_digest_done`."""
        await self.channels.mark_digest_done(ref, at, covered_through)

    # Subscriptions

    async def topics(self, ref: ChannelRef) -> list[TopicEntry]:
        """See `SqlSubscriptions.topics`."""
        return await self.subscriptions.topics(ref)

    async def distinct_topics(self) -> list[str]:
        """See `SqlSubscriptions.distinct_topics`."""
        return await self.subscriptions.distinct_topics()

    async def add_topic(
        self, ref: ChannelRef, topic: str, added_by: str, *, cap: int | None = None
    ) -> TopicAdded:
        """See `SqlSubscriptions.add_topic`."""
        return await self.subscriptions.add_topic(ref, topic, added_by, cap=cap)

    async def remove_topic(self, ref: ChannelRef, topic: str) -> bool:
        """See `SqlSubscriptions.remove_topic`."""
        return await self.subscriptions.remove_topic(ref, topic)

    # Papers

    async def save_papers(self, papers: Iterable[Paper]) -> int:
        """See `SqlPapers.save_papers`."""
        return await self.papers_store.save_papers(papers)

    async def stamp_announced(self, ids: Sequence[str], day: date | None) -> None:
        """See `SqlPapers.stamp_announced`."""
        await self.papers_store.stamp_announced(ids, day)

    async def papers(self, ids: Sequence[str]) -> dict[str, Paper]:
        """See `SqlPapers.papers`."""
        return await self.papers_store.papers(ids)

    async def paper_fetched_since(self, arxiv_id: str, since: datetime) -> Paper | None:
        """See `SqlPapers.paper_fetched_since`."""
        return await self.papers_store.paper_fetched_since(arxiv_id, since)

    async def papers_announced_after(self, day: date) -> list[Paper]:
        """See `SqlPapers.papers_announced_after`."""
        return await self.papers_store.papers_announced_after(day)

    async def latest_announced_day(self) -> date | None:
        """See `SqlPapers.latest_announced_day`."""
        return await self.papers_store.latest_announced_day()

    async def catalog_stamp(self) -> tuple[int, datetime | None]:
        """See `SqlPapers.catalog_stamp`."""
        return await self.papers_store.catalog_stamp()

    # Listings

    async def record_listing(
        self,
        categories: str,
        day: date | None,
        count: int,
        skipped: bool,
        *,
        earliest_day: date | None = None,
    ) -> None:
        """See `SqlListingLog.record_listing`."""
        await self.listings.record_listing(categories, day, count, skipped, earliest_day=earliest_day)

    async def last_listing(self) -> ListingFetch | None:
        """See `SqlListingLog.last_listing`."""
        return await self.listings.last_listing()

    # Deliveries

    async def delivered_ids(self, ref: ChannelRef, ids: Iterable[str]) -> set[str]:
        """See `SqlDeliveries.delivered_ids`."""
        return await self.deliveries.delivered_ids(ref, ids)

    async def record_intent(self, ref: ChannelRef, papers: Sequence[Paper], run_id: str) -> list[str]:
        """See `SqlDeliveries.record_intent`."""
        return await self.deliveries.record_intent(ref, papers, run_id)

    async def confirm_delivery(self, ref: ChannelRef, arxiv_id: str, message_ref: str) -> None:
        """See `SqlDeliveries.confirm_delivery`."""
        await self.deliveries.confirm_delivery(ref, arxiv_id, message_ref)

    async def release_intent(self, ref: ChannelRef, arxiv_ids: Sequence[str]) -> None:
        """See `SqlDeliveries.release_intent`."""
        await self.deliveries.release_intent(ref, arxiv_ids)

    async def pending_deliveries(self, ref: ChannelRef | None = None) -> list[PendingClaim]:
        """See `SqlDeliveries.pending_deliveries`."""
        return await self.deliveries.pending_deliveries(ref)

    async def delivered_since(self, ref: ChannelRef, since: datetime | None) -> int:
        """See `SqlDeliveries.delivered_since`."""
        return await self.deliveries.delivered_since(ref, since)

    async def paper_for_message(self, ref: ChannelRef, message_ref: str) -> str | None:
        """See `SqlDeliveries.paper_for_message`."""
        return await self.deliveries.paper_for_message(ref, message_ref)

    async def posted_count(self, ref: ChannelRef) -> int:
        """See `SqlDeliveries.posted_count`."""
        return await self.deliveries.posted_count(ref)
