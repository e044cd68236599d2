"""Explanations written as soon as arXiv's listing is in, so the digests due hours later find them.

A real LLM takes seconds a paper; a digest waits at most `LLM_DIGEST_WAIT` for its explanations.
The listing comes shortly after midnight US Eastern, hours before most digests, so right after
the ingest the prewriter works out what each channel will be posted (the digest cycle's own
picks: its topics matched over the new papers, minus what it has, capped at its max papers),
and writes each of those papers' explanations once, the papers most channels will get first.

Budgets: a paper written ahead is charged to one channel that will receive it, the one charged
least so far in this run whose daily budget has room (the digest cycle charges the first channel
that wants a paper; the spend is the same, only earlier and spread out), and always to the total.
So no channel pays for a paper it will not get, the per-channel budget still bounds what one
channel's picks cost, and the total bounds the day; what the budgets refuse, the digest asks for
again within its own wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.channel import ChannelRef
from bot.domain.clock import Clock
from bot.domain.paper import Paper
from bot.domain.schedule import next_occurrence
from bot.domain.topics import Topic
from bot.ports import DeliveryBatchStore, StoredChannel
from bot.services.catalog import IngestReport
from bot.services.delivery import BATCH_CHANNELS
from bot.services.explanations import Attempt, LlmExplainer
from bot.services.picks import ChannelPicks

log = logging.getLogger(__name__)

# Channels whose next digest is further off than the next listing wait for that listing's run.
HORIZON = timedelta(hours=24)
# When a channel's daily budget is full, this many of the paper's receivers are tried in all.
PAYERS_TRIED = 3


@dataclass(slots=True)
class PrewriteReport:
    """What one run wrote ahead."""

    channels: int = 0  # channels with papers coming in their next digest
    papers: int = 0  # distinct papers some channel will receive
    already: int = 0  # of those, explained before this run
    written: int = 0
    refused: int = 0  # the budgets had no room: the digest asks again
    failed: int = 0  # the LLM gave no explanation: the digest asks again
    seconds: float = 0.0
    charged: Counter[str] = field(default_factory=Counter)  # new calls per channel key

    def count(self, attempt: Attempt) -> None:
        """Tally one paper's outcome."""
        if attempt.refused:
            self.refused += 1
        elif attempt.text.is_fallback:
            self.failed += 1
        elif attempt.charged is not None:
            self.written += 1
            self.charged[attempt.charged] += 1
        else:
            self.already += 1

    def summary(self) -> str:
        """One line for the operator."""
        return (
            f"Wrote {self.written} explanation{'s' if self.written != 1 else ''} ahead of the digests "
            f"({self.papers} papers due in {self.channels} channels' next digests; {self.already} were "
            f"written already, {self.refused} over the LLM budget, {self.failed} failed) "
            f"in {self.seconds:.0f} s."
        )


@dataclass(slots=True)
class _Demand:
    paper: Paper
    receivers: list[ChannelRef]


class Prewriter:
    """Writes the explanations of every paper some channel's next digest will hold, once each."""

    def __init__(
        self,
        batches: DeliveryBatchStore,
        picks: ChannelPicks,
        explainer: LlmExplainer,
        clock: Clock,
        seen_through: Callable[[], Awaitable[date | None]],
        *,
        batch_size: int = BATCH_CHANNELS,
        horizon: timedelta = HORIZON,
    ) -> None:
        self._batches = batches
        self._picks = picks
        self._explainer = explainer
        self._clock = clock
        self._seen_through = seen_through  # how far coverage may reach, as the digests count it
        self._batch_size = batch_size
        self._horizon = horizon

    async def after_ingest(self, report: IngestReport) -> PrewriteReport:
        """What a successful ingest calls: write ahead, unless arXiv announced nothing that day."""
        if report.skipped:
            return PrewriteReport()
        return await self.prewrite()

    async def prewrite(self) -> PrewriteReport:
        """Write what the channels' next digests will need, most-wanted papers first; never raises
        for one paper (the digest asks again for what is missing)."""
        started = time.perf_counter()
        report = PrewriteReport()
        wanted = sorted(
            (await self._demand(report)).values(),
            key=lambda d: (-len(d.receivers), -d.paper.published.timestamp(), d.paper.arxiv_id),
        )
        report.papers = len(wanted)
        if wanted:
            await self._explainer.prefetch([d.paper for d in wanted])
            queue = iter(wanted)  # shared: each paper is taken by one worker

            async def work() -> None:
                for demand in queue:
                    # The receivers charged least so far pay, so the cost is spread over them.
                    payers = heapq.nsmallest(
                        PAYERS_TRIED, demand.receivers, key=lambda r: report.charged[r.key]
                    )
                    report.count(await self._explainer.write_ahead(demand.paper, payers))

            # As many workers as the LLM takes calls at once: the explainer's limit holds for every
            # caller, and an `explain` typed meanwhile waits for one call, not for the whole queue.
            await asyncio.gather(*(work() for _ in range(self._explainer.concurrency)))
        report.seconds = time.perf_counter() - started
        log.info(report.summary())
        return report

    async def _demand(self, report: PrewriteReport) -> dict[str, _Demand]:
        """Every paper some channel's next digest will hold, with the channels that will get it."""
        demand: dict[str, _Demand] = {}
        parsed: dict[str, Topic | None] = {}
        latest = await self._seen_through()
        async for batch in self._due_soon():
            for picked in await self._picks.pick(batch, parsed, latest):
                if not picked.chosen:
                    continue
                report.channels += 1
                ref = picked.due.channel.state.ref
                for paper, _, _ in picked.chosen:
                    demand.setdefault(paper.arxiv_id, _Demand(paper, [])).receivers.append(ref)
        return demand

    async def _due_soon(self) -> AsyncIterator[list[StoredChannel]]:
        """Unpaused channels whose next digest comes before the next listing's run, in batches."""
        now = self._clock.now()
        after = 0
        while batch := await self._batches.active_channels(after, self._batch_size):
            after = batch[-1].pk
            soon = [
                c
                for c in batch
                if c.state.schedule.weekdays and next_occurrence(c.state.schedule, now) - now <= self._horizon
            ]
            if soon:
                yield soon


class WriteAheadInBackground:
    """The catalog's follow-up in `paperboy run`: each new listing starts writing ahead as a task.

    Writing ahead a day takes minutes (an LLM call per paper), so the ingest returns at once; a
    listing read while a run is going starts one more run once it ends, never two at a time.
    """

    def __init__(self, prewriter: Prewriter) -> None:
        self._prewriter = prewriter
        self._task: asyncio.Task[None] | None = None
        self._again = False

    async def after_ingest(self, report: IngestReport) -> None:
        """Start writing ahead (or again once the current run ends), unless arXiv skipped the day."""
        if report.skipped:
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.create_task(self._run(report), name="write-ahead")

    async def _run(self, report: IngestReport) -> None:
        while True:
            self._again = False
            try:
                await self._prewriter.after_ingest(report)
            except Exception:
                log.exception("writing explanations ahead failed; the digests will ask for them")
            if not self._again:
                return

    async def idle(self) -> None:
        """Wait for the run in progress (and the one it owes), if any."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        """Cancel a run in progress (what it wrote stays cached; the digests ask for the rest)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
