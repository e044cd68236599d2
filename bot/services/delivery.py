"""Delivering a digest: claim papers, post them, and record each only once the platform confirms.

Exactly once per (channel, paper): a claim ("pending" delivery) is written before each post and
confirmed after it. A run killed between the two leaves a pending claim; `reconcile` asks the
platform whether that post exists and either confirms it or gives the paper back.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial

from bot import metrics
from bot.domain.channel import ChannelRef
from bot.domain.clock import Clock
from bot.domain.digest import Digest, DigestItem
from bot.logs import log_context
from bot.ports import ChannelUnavailable, Publisher, Storage
from bot.services.digests import DigestBuilder

log = logging.getLogger(__name__)

Confirm = Callable[[str, str], Awaitable[None]]


class NotDelivered(Exception):
    """The platform refused a post; the papers not posted stay due for the next run."""

    def __init__(self, message: str, *, paused: bool = False):
        super().__init__(message)
        self.paused = paused  # the platform refuses the channel itself, so its digests are paused


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What a run posted."""

    run_id: str
    digest: Digest
    posted: int


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """What reconciliation found of interrupted runs."""

    confirmed: int
    released: int


class DigestDelivery:
    """One path for scheduled and on-demand digests, so both obey the same never-twice rule."""

    def __init__(self, repository: Storage, builder: DigestBuilder, clock: Clock):
        self._repository = repository
        self._builder = builder
        self._clock = clock
        # Runs in flight (a Counter: a batch cycle and a single run may hold the same run id).
        self._active_runs: Counter[str] = Counter()

    async def deliver(
        self, ref: ChannelRef, publisher: Publisher, *, scheduled: bool = False, more: bool = False
    ) -> DeliveryReport:
        """Build the channel's digest and post it; raises NotDelivered if the platform fails.

        A scheduled run for a channel that follows nothing posts nothing: silence beats a daily nag.
        `more` posts the next papers beyond the cap instead, through the same claims, and leaves
        the channel's read mark alone (so it may come before the day's digest too).
        """
        run_id = uuid.uuid4().hex[:12]
        with log_context(channel=ref.key, run_id=run_id):
            return await self._deliver(ref, publisher, run_id, scheduled=scheduled, more=more)

    async def _deliver(
        self, ref: ChannelRef, publisher: Publisher, run_id: str, *, scheduled: bool, more: bool = False
    ) -> DeliveryReport:
        channel = await self._repository.ensure_channel(ref)
        await self.reconcile(lambda _platform: publisher, channel=ref)
        # Claims the platform could not settle yet: once released they must still be offered, so
        # the channel's read mark stays where it is until they are settled.
        unsettled = await self._repository.pending_deliveries(ref)
        # Papers a run killed since the last finished digest already posted count against the cap,
        # so the restarted run completes that digest instead of adding papers that were not due.
        already = await self._repository.delivered_since(ref, channel.last_digest_at)
        capped = replace(channel, max_papers=max(channel.max_papers - already, 0))
        plan = await self._builder.build(capped, more=more)
        digest = replace(plan.digest, run_id=run_id)
        covered = None if unsettled else plan.covered_through
        if scheduled and already and digest.is_empty:
            await self._repository.mark_digest_done(ref, self._clock.now(), covered)
            log.info(
                "digest run %s for %s posted 0 papers: %d went out before a restart", run_id, ref.key, already
            )
            return DeliveryReport(run_id=run_id, digest=digest, posted=0)
        if scheduled and not digest.topics:
            return DeliveryReport(run_id=run_id, digest=digest, posted=0)
        claimed = set(await self._repository.record_intent(ref, [i.paper for i in digest.items], run_id))
        digest = only_claimed(digest, claimed)
        posted = await self.post_claimed(ref, publisher, digest, run_id)
        await self._repository.mark_digest_done(ref, self._clock.now(), covered)
        metrics.count_digest(publisher.platform, posted)
        log.info("digest run %s for %s posted %d papers", run_id, ref.key, posted)
        return DeliveryReport(run_id=run_id, digest=digest, posted=posted)

    async def post_claimed(
        self,
        ref: ChannelRef,
        publisher: Publisher,
        digest: Digest,
        run_id: str,
        *,
        confirm: Confirm | None = None,
    ) -> int:
        """Post a digest whose papers `run_id` has claimed, confirming each once the platform answers.

        `confirm(arxiv_id, message_ref)` records a confirmation (the batch cycle buffers them and
        writes them together); by default each is written at once. Raises NotDelivered.
        """
        with self.running([run_id]):
            return await self._post(ref, publisher, digest, run_id, confirm)

    @contextmanager
    def running(self, run_ids: Iterable[str]) -> Iterator[None]:
        """Mark runs as live, so `reconcile` leaves their claims alone until they have confirmed."""
        held = list(run_ids)
        self._active_runs.update(held)
        try:
            yield
        finally:
            self._active_runs.subtract(held)
            for run_id in held:
                if self._active_runs[run_id] <= 0:
                    del self._active_runs[run_id]

    async def _post(
        self, ref: ChannelRef, publisher: Publisher, digest: Digest, run_id: str, confirm: Confirm | None
    ) -> int:
        confirm = confirm or partial(self._repository.confirm_delivery, ref)
        pending = [item.paper.arxiv_id for item in digest.items]
        current: DigestItem | None = None
        try:
            parent = await publisher.post_digest_header(ref, digest)
            for current in digest.items:
                message = await publisher.post_digest_item(ref, digest, current, parent)
                await confirm(current.paper.arxiv_id, message)
                pending.remove(current.paper.arxiv_id)
        except Exception as error:
            if current is not None and current.paper.arxiv_id in pending:
                # The failed post may have gone out all the same (a timeout after sending).
                pending.remove(current.paper.arxiv_id)
                await self._settle(publisher, ref, current.paper.arxiv_id, run_id)
            await self._repository.release_intent(ref, pending)
            posted = len(digest.items) - len(pending)
            metrics.count_error(metrics.ERROR_PLATFORM)
            metrics.count_delivery(publisher.platform, posted)
            if isinstance(error, ChannelUnavailable):
                await self._repository.update_channel(ref, paused=True)
                log.warning("paused %s: the platform refuses posts there (%s)", ref.key, error)
            log.warning("digest run %s for %s stopped after %d posts: %s", run_id, ref.key, posted, error)
            raise NotDelivered(str(error), paused=isinstance(error, ChannelUnavailable)) from error
        return len(digest.items)

    async def reconcile(
        self, publisher_for: Callable[[str], Publisher | None], *, channel: ChannelRef | None = None
    ) -> ReconcileReport:
        """Settle claims left by runs that died mid-post: confirm what was posted, free the rest."""
        confirmed = released = 0
        for claim in await self._repository.pending_deliveries(channel):
            publisher = publisher_for(claim.channel.platform)
            if publisher is None or claim.run_id in self._active_runs:
                continue
            outcome = await self._settle(publisher, claim.channel, claim.arxiv_id, claim.run_id)
            confirmed += outcome == "confirmed"
            released += outcome == "released"
        if confirmed or released:
            log.info(
                "reconciled interrupted runs: %d posts confirmed, %d papers due again", confirmed, released
            )
        return ReconcileReport(confirmed, released)

    async def _settle(self, publisher: Publisher, ref: ChannelRef, arxiv_id: str, run_id: str) -> str:
        """Confirm a claim whose post exists, release one whose post does not, keep it if unsure."""
        try:
            found = await publisher.find_post(ref, arxiv_id, run_id)
        except Exception as error:
            log.warning("could not tell whether %s got %s; asking again later: %s", ref.key, arxiv_id, error)
            return "kept"
        if found:
            await self._repository.confirm_delivery(ref, arxiv_id, found)
            return "confirmed"
        await self._repository.release_intent(ref, [arxiv_id])
        return "released"


def only_claimed(digest: Digest, claimed: set[str]) -> Digest:
    """The digest without papers another run claimed first, renumbered."""
    if len(claimed) >= len(digest.items):
        return digest
    kept = [i for i in digest.items if i.paper.arxiv_id in claimed]
    return replace(digest, items=tuple(replace(i, position=n) for n, i in enumerate(kept, 1)))
