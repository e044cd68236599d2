"""The daily cycle for many channels at once: ingest once, match once, read and write in batches.

It takes the same steps as `DigestDelivery.deliver` for one channel (the builder's `since`,
`matches`, `choose`, `assemble`; a claim before each post, a confirmation after the platform
answers; `post_claimed` for the posting itself), but reads a batch of channels' topics and
deliveries in a few queries, explains each distinct paper once, claims the batch's papers in one
transaction, posts to several channels at a time and confirms the batch's posts in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date

from bot import metrics
from bot.domain.channel import ChannelRef
from bot.domain.clock import Clock
from bot.domain.digest import Digest, ExplanationText
from bot.domain.paper import Paper
from bot.domain.topics import Topic
from bot.logs import log_context
from bot.ports import Claim, Confirmation, DeliveryBatchStore, Publisher, Storage, StoredChannel
from bot.services.catalog import IngestReport, PaperCatalog
from bot.services.delivery import DigestDelivery, NotDelivered, only_claimed
from bot.services.digests import DigestBuilder, DigestPlan
from bot.services.picks import ChannelPicks, DueChannel, Picked

log = logging.getLogger(__name__)

PublisherFor = Callable[[str], Publisher | None]
BATCH_CHANNELS = 500
CONCURRENT_CHANNELS = 32


@dataclass(slots=True)
class CycleReport:
    """What one cycle did."""

    channels: int = 0  # channels looked at
    digests: int = 0  # channels that were posted a digest (one parent message each)
    empty: int = 0  # of those, digests saying nothing new matched
    papers_posted: int = 0
    explained: int = 0  # distinct papers whose explanation the cycle asked for
    failed: list[ChannelRef] = field(default_factory=list)
    ingest: IngestReport | None = None
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # wall time by step

    @contextmanager
    def timing(self, step: str) -> Iterator[None]:
        """Add the wall time of the block to `step`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] += time.perf_counter() - started


class DigestCycle:
    """Scheduled digests for many channels, with the never-twice rule of the one-channel path."""

    def __init__(
        self,
        repository: Storage,
        catalog: PaperCatalog,
        builder: DigestBuilder,
        delivery: DigestDelivery,
        batches: DeliveryBatchStore,
        clock: Clock,
        *,
        batch_size: int = BATCH_CHANNELS,
        concurrency: int = CONCURRENT_CHANNELS,
    ) -> None:
        self._repository = repository
        self._catalog = catalog
        self._builder = builder
        self._delivery = delivery
        self._batches = batches
        self._clock = clock
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._picks = ChannelPicks(builder, batches)

    async def run_all(self, publisher_for: PublisherFor) -> CycleReport:
        """Every unpaused channel whose platform is running, streamed in batches."""

        async def stream() -> AsyncIterator[list[StoredChannel]]:
            after = 0
            while batch := await self._batches.active_channels(after, self._batch_size):
                after = batch[-1].pk
                yield batch

        return await self._cycle(stream(), publisher_for)

    async def run(self, refs: Sequence[ChannelRef], publisher_for: PublisherFor) -> CycleReport:
        """These channels (those due now), in batches; each gets what `deliver` would post."""

        async def stream() -> AsyncIterator[list[StoredChannel]]:
            for start in range(0, len(refs), self._batch_size):
                if batch := await self._batches.channels(refs[start : start + self._batch_size]):
                    yield batch

        return await self._cycle(stream(), publisher_for)

    async def _cycle(
        self, stream: AsyncIterator[list[StoredChannel]], publisher_for: PublisherFor
    ) -> CycleReport:
        report = CycleReport()
        with report.timing("reconcile"):
            await self._delivery.reconcile(publisher_for)
        with report.timing("ingest"):
            # One listing request for every channel's categories (raises SourceUnavailable, and
            # ListingNotTurned while arXiv's feed still shows yesterday just after its midnight).
            report.ingest = await self._catalog.refresh(
                await self._builder.all_categories(), wait_for_turn=True
            )
            latest = await self._catalog.seen_through()
        explained: dict[str, ExplanationText] = {}
        parsed: dict[str, Topic | None] = {}
        async for batch in stream:
            live = [c for c in batch if publisher_for(c.state.ref.platform) is not None]
            report.channels += len(live)
            await self._batch(live, publisher_for, report, latest, explained, parsed)
        report.explained = len(explained)
        return report

    async def _batch(
        self,
        batch: list[StoredChannel],
        publisher_for: PublisherFor,
        report: CycleReport,
        latest: date | None,
        explained: dict[str, ExplanationText],
        parsed: dict[str, Topic | None],
    ) -> None:
        picked = await self._picks.pick(batch, parsed, latest, report.timing, report.failed)
        if not picked:
            return
        with report.timing("read"):
            # Channels with unsure claims keep their read mark.
            unsettled = await self._batches.unsettled([p.due.channel.pk for p in picked])
        with report.timing("explain"):
            await self._explain(picked, explained)
        plans = [
            self._builder.assemble(
                p.due.channel.state,
                p.due.today,
                p.due.topics,
                p.chosen,
                [explained[paper.arxiv_id] for paper, _, _ in p.chosen],
                p.more,
                report.ingest or IngestReport(None, False, 0, False),
                p.due.since,
                latest,
                unreadable=p.due.unreadable,
            )
            for p in picked
        ]
        await self._deliver([p.due for p in picked], plans, publisher_for, report, latest, unsettled)

    async def _explain(self, picked: list[Picked], explained: dict[str, ExplanationText]) -> None:
        """Each distinct paper once, charged to the first channel that wants it."""
        wanted: dict[str, tuple[Paper, ChannelRef]] = {}
        for p in picked:
            for paper, _, _ in p.chosen:
                if paper.arxiv_id not in explained:
                    wanted.setdefault(paper.arxiv_id, (paper, p.due.channel.state.ref))
        if not wanted:
            return
        papers = [paper for paper, _ in wanted.values()]
        texts = await self._builder.explanations(papers, [ref for _, ref in wanted.values()])
        explained.update((p.arxiv_id, t) for p, t in zip(papers, texts, strict=True))

    async def _deliver(
        self,
        due: list[DueChannel],
        plans: list[DigestPlan],
        publisher_for: PublisherFor,
        report: CycleReport,
        latest: date | None,
        unsettled: set[int],
    ) -> None:
        runs = {d.channel.pk: uuid.uuid4().hex[:12] for d in due}
        claims = [
            Claim(d.channel.pk, item.paper.arxiv_id, item.paper.version, runs[d.channel.pk])
            for d, plan in zip(due, plans, strict=True)
            for item in plan.digest.items
        ]
        # Live from the claim until the confirmations are written: `reconcile` leaves them alone.
        with self._delivery.running(runs.values()):
            await self._claim_post_confirm(due, plans, claims, runs, publisher_for, report, latest, unsettled)

    async def _claim_post_confirm(
        self,
        due: list[DueChannel],
        plans: list[DigestPlan],
        claims: list[Claim],
        runs: dict[int, str],
        publisher_for: PublisherFor,
        report: CycleReport,
        latest: date | None,
        unsettled: set[int],
    ) -> None:
        with report.timing("claim"):
            held = await self._batches.claim(claims, self._clock.now())
        confirmations: list[Confirmation] = []
        done: list[int] = []
        limit = asyncio.Semaphore(self._concurrency)

        async def post(d: DueChannel, digest: Digest) -> None:
            ref, pk = d.channel.state.ref, d.channel.pk
            publisher = publisher_for(ref.platform)
            assert publisher is not None
            mine: list[Confirmation] = []

            async def confirm(arxiv_id: str, message_ref: str) -> None:
                mine.append(Confirmation(pk, arxiv_id, message_ref))

            if d.already and digest.is_empty:
                # An interrupted run already posted this digest's papers: record it, post nothing.
                done.append(pk)
                log.info("digest run %s for %s posted 0 papers: %d went out before a restart",
                         runs[pk], ref.key, d.already)  # fmt: skip
                return
            async with limit:
                with log_context(channel=ref.key, run_id=runs[pk]):
                    try:
                        await self._delivery.post_claimed(ref, publisher, digest, runs[pk], confirm=confirm)
                    except NotDelivered as error:
                        report.failed.append(ref)
                        log.warning("digest for %s not delivered: %s", ref.key, error)
                    else:
                        done.append(pk)
                        report.digests += 1
                        report.empty += digest.is_empty
                        metrics.count_digest(publisher.platform, len(mine))
                        log.info("digest run %s for %s posted %d papers", runs[pk], ref.key, len(mine))
                    finally:
                        confirmations.extend(mine)
                        report.papers_posted += len(mine)

        held_by: dict[int, set[str]] = defaultdict(set)
        for pk, arxiv_id in held:
            held_by[pk].add(arxiv_id)
        with report.timing("post"):
            await asyncio.gather(
                *(
                    post(
                        d,
                        only_claimed(replace(plan.digest, run_id=runs[d.channel.pk]), held_by[d.channel.pk]),
                    )
                    for d, plan in zip(due, plans, strict=True)
                )
            )
        with report.timing("confirm"):
            await self._batches.finish(confirmations, done, self._clock.now(), latest, hold=unsettled)
