"""What the scheduler runs: every minute the digests due now, and on announcement days the listing.

Scheduling is data (`channels.next_digest_at`): the tick asks the database which channels are due
and runs them all in one delivery run, the same run `/paper digest` makes for one channel. The
functions here are the jobs; APScheduler, which fires them, lives in `bot/infra/scheduler.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential,
)

from bot import metrics
from bot.domain.clock import Clock
from bot.domain.replies import Notice, Tone
from bot.infra.storage.digest_times import DigestTimes, DueDigest
from bot.services.catalog import PaperCatalog
from bot.services.delivery import DigestDelivery
from bot.services.delivery_report import RunReport
from bot.services.digests import DigestBuilder
from bot.services.ports import SourceUnavailable
from bot.services.publishers import Publishers

log = logging.getLogger(__name__)

MAX_RETRY_WAIT = 15 * 60


@dataclass(frozen=True, slots=True)
class Patience:
    """How a scheduled run waits for arXiv: first wait (doubling), when to say late, when to stop."""

    retry_seconds: float = 60.0
    late_after: float = 1800.0
    give_up_after: float = 12 * 3600.0


@dataclass
class ScheduledJobs:
    """What the jobs need, and the runs they started (so shutdown can wait for them)."""

    delivery: DigestDelivery
    catalog: PaperCatalog
    builder: DigestBuilder
    times: DigestTimes
    publishers: Publishers
    clock: Clock
    patience: Patience = field(default_factory=Patience)
    in_flight: set[str] = field(default_factory=set)  # channel keys a run is delivering now
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)


async def tick(jobs: ScheduledJobs) -> None:
    """Every minute: start one delivery run for the channels due now (those no run holds yet)."""
    due = await jobs.times.due(jobs.clock.now(), jobs.publishers.platforms)
    due = [d for d in due if d.ref.key not in jobs.in_flight]
    if not due:
        return
    log.info("scheduled digests for %d channels in one run", len(due))
    task = asyncio.create_task(run_due(jobs, due), name="scheduled-digests")
    jobs.tasks.add(task)
    task.add_done_callback(jobs.tasks.discard)


async def run_due(jobs: ScheduledJobs, due: Sequence[DueDigest]) -> RunReport | None:
    """These channels' scheduled digests in one run; while arXiv cannot be read, wait and retry.

    Past `late_after` from its due time each channel is told once why its digest is late; past
    `give_up_after` the run stops. Either way each channel's next digest time moves on, except when
    the process is stopped mid-run: the channels stay due and the next leader completes the run.
    """
    refs = [d.ref for d in due]
    jobs.in_flight.update(r.key for r in refs)
    try:
        report = await _deliver_waiting_for_arxiv(jobs, due)
    except SourceUnavailable as error:
        metrics.count_error(metrics.ERROR_DIGEST)
        log.error("gave up on the scheduled digests of %d channels: %s", len(refs), error)
        report = None
    except Exception:
        metrics.count_error(metrics.ERROR_DIGEST)
        log.exception("the scheduled digests of %d channels failed", len(refs))
        report = None
    finally:
        jobs.in_flight.difference_update(r.key for r in refs)
    await jobs.times.advance(refs, jobs.clock.now())
    return report


async def _deliver_waiting_for_arxiv(jobs: ScheduledJobs, due: Sequence[DueDigest]) -> RunReport:
    loop = asyncio.get_running_loop()
    started = loop.time()
    told = {d.ref.key for d in due if d.told_late}
    patience = jobs.patience

    async def tell_late(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "the run of %d scheduled digests waits for arXiv (attempt %d): %s",
            len(due),
            state.attempt_number,
            error,
        )
        waited = loop.time() - started
        late = [
            d.ref
            for d in due
            if d.ref.key not in told
            and (jobs.clock.now() - d.due_at).total_seconds() + waited >= patience.late_after
        ]
        if not late:
            return
        notice = Notice(
            f"Today's digest is late: {str(error).rstrip('.')}. "
            "It will be posted as soon as arXiv answers again.",
            Tone.WARNING,
        )
        for ref in late:
            publisher = jobs.publishers.get(ref.platform)
            if publisher is not None:
                with contextlib.suppress(Exception):
                    await publisher.post_reply(ref, notice)
        told.update(ref.key for ref in late)
        await jobs.times.told_late(late, jobs.clock.now())

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(SourceUnavailable),
        wait=wait_exponential(multiplier=patience.retry_seconds, max=MAX_RETRY_WAIT),
        stop=stop_after_delay(patience.give_up_after),
        before_sleep=tell_late,
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            # Just after arXiv's midnight the feed may still show yesterday: wait for the new day.
            listing = await jobs.catalog.refresh(await jobs.builder.all_categories(), wait_for_turn=True)
            report = await jobs.delivery.run([d.ref for d in due])
            if listing.fetched:  # the read was this run's, though the run itself found it fresh
                report.ingest = listing
            return report
    raise AssertionError("tenacity either returns or raises")  # pragma: no cover


async def ingest(jobs: ScheduledJobs) -> None:
    """Shortly after arXiv's midnight on announcement days, digest due or not: read the listing
    (waiting up to two hours for a feed that has not turned), so explanations can be written ahead
    and weekly digests find every day stored."""
    task = asyncio.current_task()
    if task is not None:
        jobs.tasks.add(task)
    patience = jobs.patience
    retrying = AsyncRetrying(
        retry=retry_if_exception_type(SourceUnavailable),
        wait=wait_exponential(multiplier=patience.retry_seconds, max=MAX_RETRY_WAIT),
        stop=stop_after_delay(patience.give_up_after),
        before_sleep=lambda state: log.warning(
            "scheduled ingest waits for arXiv (attempt %d): %s",
            state.attempt_number,
            state.outcome.exception() if state.outcome else None,
        ),
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                categories = await jobs.builder.all_categories()
                report = await jobs.catalog.refresh(categories, wait_for_turn=True)
        late = " (arXiv's feed had not turned; read what there was)" if report.behind else ""
        log.info("scheduled ingest: listing of %s, %d papers named%s", report.day, len(report.ids), late)
    except SourceUnavailable as error:
        log.error("gave up on the scheduled ingest: %s", error)
    except Exception:
        log.exception("scheduled ingest failed")
    finally:
        if task is not None:
            jobs.tasks.discard(task)
