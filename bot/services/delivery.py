"""Delivering digests: one run for a list of channels, one channel or ten thousand.

`/paper digest` is a run of one channel; the scheduler's tick is a run of the channels due now.
A run ingests once, reads a batch of channels' topics and deliveries in a few queries, explains
each distinct paper once, claims the batch's papers in one transaction, posts to several channels
at a time (`ClaimedPosts`, the exactly-once rules) and confirms the batch's posts in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot import metrics
from bot.domain.channel import ChannelRef
from bot.domain.clock import Clock
from bot.domain.digest import Digest, ExplanationText
from bot.domain.paper import Paper
from bot.domain.topics import Topic
from bot.logs import log_context
from bot.ports import Claim, Confirmation, DeliveryBatchStore, StoredChannel
from bot.services.catalog import IngestReport, PaperCatalog
from bot.services.delivery_report import ChannelOutcome, RunReport
from bot.services.digests import DigestBuilder
from bot.services.picks import ChannelPicks, Picked
from bot.services.posting import ClaimedPosts, NotDelivered, only_claimed
from bot.services.publishers import Publishers

log = logging.getLogger(__name__)

BATCH_CHANNELS = 500
CONCURRENT_CHANNELS = 32


@dataclass(frozen=True, slots=True)
class _Run:
    """What every batch of one run shares."""

    report: RunReport
    latest: date | None
    more: bool
    explained: dict[str, ExplanationText]
    parsed: dict[str, Topic | None]


class DigestDelivery:
    """The one path by which digests reach channels, so every digest obeys the never-twice rule."""

    def __init__(
        self,
        catalog: PaperCatalog,
        builder: DigestBuilder,
        batches: DeliveryBatchStore,
        posts: ClaimedPosts,
        publishers: Publishers,
        clock: Clock,
        *,
        batch_size: int = BATCH_CHANNELS,
        concurrency: int = CONCURRENT_CHANNELS,
    ) -> None:
        self._catalog = catalog
        self._builder = builder
        self._batches = batches
        self.posts = posts
        self._publishers = publishers
        self._clock = clock
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._picks = ChannelPicks(builder, batches)
        self.in_flight: set[asyncio.Task[object]] = set()

    async def run(self, refs: Sequence[ChannelRef], *, more: bool = False) -> RunReport:
        """Post each channel's digest (the next papers beyond its cap with `more`).

        Channels that follow nothing are left out (`report.without_topics`); a channel the platform
        refuses is in `report.failed` and keeps its papers due. Raises SourceUnavailable when arXiv's
        listing cannot be read (and ListingNotTurned while its feed still shows yesterday).
        """
        task = asyncio.current_task()
        if task is not None:  # `paperboy run` lets runs in flight finish before it stops
            self.in_flight.add(task)
        try:
            return await self._run(refs, more)
        finally:
            if task is not None:
                self.in_flight.discard(task)

    async def _run(self, refs: Sequence[ChannelRef], more: bool) -> RunReport:
        report = RunReport()
        live = [ref for ref in refs if self._publishers.get(ref.platform) is not None]
        with report.timing("reconcile"):
            # Claims a killed run left in these channels are settled before anything is posted.
            await self.posts.reconcile(live)
        with report.timing("ingest"):
            # One listing request for every channel's categories, whatever the number of channels.
            report.ingest = await self._catalog.refresh(await self._builder.all_categories())
            latest = await self._catalog.seen_through()
        shared = _Run(report, latest, more, {}, {})
        for start in range(0, len(live), self._batch_size):
            batch = await self._batches.channels(live[start : start + self._batch_size])
            report.channels += len(batch)
            await self._batch(batch, shared)
        report.explained = len(shared.explained)
        return report

    async def _batch(self, batch: list[StoredChannel], run: _Run) -> None:
        report = run.report
        picked = await self._picks.pick(
            batch, run.parsed, run.latest, report.timing, report.failed, more=run.more
        )
        chosen = {p.due.channel.pk for p in picked}
        failed = {ref.key for ref in report.failed}  # by key: a channel's stored name may differ
        report.without_topics.extend(
            c.state.ref for c in batch if c.pk not in chosen and c.state.ref.key not in failed
        )
        if not picked:
            return
        with report.timing("read"):
            # Channels with unsure claims keep their read mark.
            unsettled = await self._batches.unsettled([p.due.channel.pk for p in picked])
        with report.timing("explain"):
            await self._explain(picked, run.explained)
        digests = [
            self._builder.assemble(
                p.due.channel.state,
                p.due.today,
                p.due.topics,
                p.chosen,
                [run.explained[paper.arxiv_id] for paper, _, _ in p.chosen],
                p.more,
                report.ingest or IngestReport(None, False, 0, False),
                p.due.since,
                run.latest,
                more_command=run.more,
                unreadable=p.due.unreadable,
            ).digest
            for p in picked
        ]
        await self._deliver(picked, digests, run, unsettled)

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
        self, picked: list[Picked], digests: list[Digest], run: _Run, unsettled: set[int]
    ) -> None:
        """Claim, post, confirm: the claims first, so a killed run leaves traces `reconcile` reads."""
        report = run.report
        runs = {p.due.channel.pk: uuid.uuid4().hex[:12] for p in picked}
        claims = [
            Claim(p.due.channel.pk, item.paper.arxiv_id, item.paper.version, runs[p.due.channel.pk])
            for p, digest in zip(picked, digests, strict=True)
            for item in digest.items
        ]
        confirmations: list[Confirmation] = []
        done: list[int] = []
        delivered: list[tuple[ChannelRef, str, str, int]] = []  # said once their records are written
        limit = asyncio.Semaphore(self._concurrency)

        async def post(p: Picked, digest: Digest) -> None:
            ref, pk, already = p.due.channel.state.ref, p.due.channel.pk, p.due.already
            publisher = self._publishers.get(ref.platform)
            assert publisher is not None
            mine: list[Confirmation] = []

            async def confirm(arxiv_id: str, message_ref: str) -> None:
                mine.append(Confirmation(pk, arxiv_id, message_ref))

            if already and digest.is_empty:
                # An interrupted run already posted this digest's papers: record it, post nothing.
                done.append(pk)
                report.outcomes[ref.key] = ChannelOutcome(digest, 0, completed_earlier=already)
                log.info("digest run %s for %s posted 0 papers: %d went out before a restart",
                         runs[pk], ref.key, already)  # fmt: skip
                return
            async with limit:
                with log_context(channel=ref.key, run_id=runs[pk]):
                    try:
                        await self.posts.post(ref, publisher, digest, runs[pk], confirm)
                    except NotDelivered as error:
                        report.failed.append(ref)
                        report.outcomes[ref.key] = ChannelOutcome(digest, len(mine), error=error)
                        log.warning("digest for %s not delivered: %s", ref.key, error)
                    else:
                        done.append(pk)
                        report.outcomes[ref.key] = ChannelOutcome(digest, len(mine))
                        delivered.append((ref, publisher.platform, runs[pk], len(mine)))
                    finally:
                        confirmations.extend(mine)

        with self.posts.running(runs.values()):  # live from the claim until confirmations are written
            with report.timing("claim"):
                held = await self._batches.claim(claims, self._clock.now())
            held_by: dict[int, set[str]] = defaultdict(set)
            for pk, arxiv_id in held:
                held_by[pk].add(arxiv_id)
            with report.timing("post"):
                await asyncio.gather(
                    *(
                        post(
                            p,
                            only_claimed(
                                replace(digest, run_id=runs[p.due.channel.pk]), held_by[p.due.channel.pk]
                            ),
                        )
                        for p, digest in zip(picked, digests, strict=True)
                    )
                )
            with report.timing("confirm"):
                # `more` posts beyond the cap and leaves the channels' read marks where they are.
                covered = None if run.more else run.latest
                await self._batches.finish(confirmations, done, self._clock.now(), covered, hold=unsettled)
        for ref, platform, run_id, count in delivered:
            metrics.count_digest(platform, count)
            with log_context(channel=ref.key, run_id=run_id):
                log.info("digest run %s for %s posted %d papers", run_id, ref.key, count)
