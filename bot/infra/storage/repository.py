"""The repository: every query the services make, in one place, on async SQLModel sessions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.channel import ChannelRef, ChannelState
from bot.domain.clock import Clock, SystemClock
from bot.domain.paper import Paper
from bot.domain.replies import TopicEntry
from bot.domain.schedule import DAY_NAMES, Schedule
from bot.infra.storage.database import session_factory
from bot.infra.storage.tables import (
    ChannelRow,
    DeliveryRow,
    ListingRow,
    PaperRow,
    SubscriptionRow,
    UTCDateTime,
    utcnow,
)

PAPER_BATCH = 500
SAVE_TRIES = 3


class TopicAdded(StrEnum):
    """What `add_topic` did."""

    ADDED = "added"
    ALREADY = "already"  # the channel follows this topic already
    FULL = "full"  # the channel follows as many topics as it may


@dataclass(frozen=True, slots=True)
class PendingClaim:
    """A paper claimed for a channel by a run that has not confirmed its post."""

    channel: ChannelRef
    arxiv_id: str
    run_id: str


class Repository:
    """Channels, subscriptions, papers, listings and deliveries."""

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

    # Channels

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
    ) -> ChannelState:
        """Change a channel's schedule, pause flag or cap."""
        async with self._sessions() as session:
            row = await self._require_channel(session, ref)
            if schedule is not None:
                row.digest_time = f"{schedule.at:%H:%M}"
                row.timezone = schedule.timezone
                row.weekdays = schedule.cron_days
            if paused is not None:
                row.paused = paused
            if max_papers is not None:
                row.max_papers = max_papers
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

    # Subscriptions

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

    # Papers

    async def save_papers(self, papers: Iterable[Paper]) -> int:
        """Insert or refresh papers (a newer version replaces an older one); returns how many.

        Two people looking up the same new paper at once both insert it: the one that loses the
        race saves again, finding the row the other wrote.
        """
        wanted = list(papers)
        for attempt in range(SAVE_TRIES):
            try:
                return await self._save(wanted)
            except IntegrityError:
                if attempt == SAVE_TRIES - 1:
                    raise
        return 0  # not reached

    async def _save(self, papers: list[Paper]) -> int:
        now = self._clock.now()
        count = 0
        async with self._sessions() as session:
            for start in range(0, len(papers), PAPER_BATCH):
                count += await self._save_batch(session, papers[start : start + PAPER_BATCH], now)
            await session.commit()
        return count

    async def _save_batch(self, session: AsyncSession, papers: Sequence[Paper], now: datetime) -> int:
        ids = [p.arxiv_id for p in papers]
        existing = {
            row.arxiv_id: row
            for row in (await session.exec(select(PaperRow).where(col(PaperRow.arxiv_id).in_(ids)))).all()
        }
        for paper in papers:
            row = existing.get(paper.arxiv_id)
            if row is None:
                row = PaperRow(arxiv_id=paper.arxiv_id, title="", abstract="")
                session.add(row)
                existing[paper.arxiv_id] = row
            elif row.version > paper.version or (
                # The listing's own description never replaces the API's metadata of that version.
                row.version == paper.version and row.complete and not paper.complete
            ):
                continue
            _fill_paper_row(row, paper, now, keep_announced=row.announced)
        await session.flush()
        return len(papers)

    async def stamp_announced(self, ids: Sequence[str], day: date | None) -> None:
        """Mark listed papers as announced on `day` where they carry no announcement day yet."""
        if day is None or not ids:
            return
        async with self._sessions() as session:
            for start in range(0, len(ids), PAPER_BATCH):
                chunk = list(ids[start : start + PAPER_BATCH])
                await session.exec(
                    sa.update(PaperRow)
                    .where(col(PaperRow.arxiv_id).in_(chunk), col(PaperRow.announced).is_(None))
                    .values(announced=day)
                )
            await session.commit()

    async def papers(self, ids: Sequence[str]) -> dict[str, Paper]:
        """Stored papers by id (version-free)."""
        found: dict[str, Paper] = {}
        async with self._sessions() as session:
            for start in range(0, len(ids), PAPER_BATCH):
                chunk = list(ids[start : start + PAPER_BATCH])
                rows = (await session.exec(select(PaperRow).where(col(PaperRow.arxiv_id).in_(chunk)))).all()
                found.update((row.arxiv_id, _paper(row)) for row in rows)
        return found

    async def paper_fetched_since(self, arxiv_id: str, since: datetime) -> Paper | None:
        """A stored paper if we fetched it recently enough to trust it."""
        async with self._sessions() as session:
            row = await session.get(PaperRow, arxiv_id)
            if row is None or row.fetched_at is None or row.fetched_at < since:
                return None
            return _paper(row)

    async def papers_announced_after(self, day: date) -> list[Paper]:
        """Papers announced after `day`, newest first: a digest's candidates."""
        async with self._sessions() as session:
            query = (
                select(PaperRow)
                .where(col(PaperRow.announced) > day)
                .order_by(col(PaperRow.announced).desc(), col(PaperRow.arxiv_id).desc())
            )
            return [_paper(row) for row in (await session.exec(query)).all()]

    async def latest_announced_day(self) -> date | None:
        """The newest announcement day we hold papers for."""
        async with self._sessions() as session:
            result = await session.exec(select(sa.func.max(PaperRow.announced)))
            return result.one()

    async def catalog_stamp(self) -> tuple[int, datetime | None]:
        """Changes whenever papers are added or refreshed: a cache key for matching results."""
        async with self._sessions() as session:
            query = select(sa.func.count(), sa.func.max(PaperRow.fetched_at))
            count, newest = (await session.exec(query)).one()
            return int(count), newest

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
        """Remember a fetch of the daily listing (`earliest_day`: its oldest part, if one lagged)."""
        async with self._sessions() as session:
            session.add(
                ListingRow(
                    categories=categories,
                    day=day,
                    fetched_at=self._clock.now(),
                    paper_count=count,
                    skipped=skipped,
                    earliest_day=earliest_day or day,
                )
            )
            await session.commit()

    async def last_listing(self) -> ListingRow | None:
        """The most recent fetch of the daily listing."""
        async with self._sessions() as session:
            query = select(ListingRow).order_by(col(ListingRow.fetched_at).desc()).limit(1)
            return (await session.exec(query)).first()

    # Deliveries

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

    # Helpers

    async def _channel_row(self, session: AsyncSession, ref: ChannelRef) -> ChannelRow | None:
        query = select(ChannelRow).where(
            ChannelRow.platform == ref.platform,
            ChannelRow.workspace == ref.workspace,
            ChannelRow.channel_id == ref.channel_id,
        )
        return (await session.exec(query)).first()

    async def _require_channel(self, session: AsyncSession, ref: ChannelRef) -> ChannelRow:
        row = await self._channel_row(session, ref)
        if row is None:
            await self.ensure_channel(ref)
            row = await self._channel_row(session, ref)
        assert row is not None
        return row


def _pk(row: ChannelRow) -> int:
    """The primary key of a stored channel row."""
    assert row.id is not None
    return row.id


def _channel_state(row: ChannelRow) -> ChannelState:
    hours, minutes = (int(part) for part in row.digest_time.split(":"))
    weekdays = frozenset(DAY_NAMES.index(day) for day in row.weekdays.split(",") if day in DAY_NAMES)
    return ChannelState(
        ref=ChannelRef(row.platform, row.workspace, row.channel_id, row.name),
        schedule=Schedule(at=time(hours, minutes), timezone=row.timezone, weekdays=weekdays),
        max_papers=row.max_papers,
        paused=row.paused,
        last_digest_at=row.last_digest_at,
        covered_through=row.covered_through,
        created_at=row.created_at,
    )


def _fill_paper_row(row: PaperRow, paper: Paper, now: datetime, keep_announced: date | None) -> None:
    row.version = paper.version
    row.title = paper.title
    row.authors = list(paper.authors)
    row.abstract = paper.abstract
    row.categories = list(paper.categories)
    row.primary_category = paper.primary_category
    row.published = paper.published
    row.updated = paper.updated
    row.comment = paper.comment
    row.journal_ref = paper.journal_ref
    row.doi = paper.doi
    row.announced = keep_announced or paper.announced
    row.fetched_at = now
    row.complete = paper.complete


def _paper(row: PaperRow) -> Paper:
    return Paper(
        arxiv_id=row.arxiv_id,
        version=row.version,
        title=row.title,
        authors=tuple(row.authors),
        abstract=row.abstract,
        categories=tuple(row.categories),
        primary_category=row.primary_category,
        published=row.published or utcnow(),
        updated=row.updated or utcnow(),
        comment=row.comment,
        journal_ref=row.journal_ref,
        doi=row.doi,
        announced=row.announced,
        complete=row.complete,
    )
