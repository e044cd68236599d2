"""Delivering a digest: claim papers, post them, and record each only once the platform confirms."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace

from bot import metrics
from bot.domain.channel import ChannelRef
from bot.domain.clock import Clock
from bot.domain.digest import Digest
from bot.infra.storage.repository import Repository
from bot.logs import log_context
from bot.services.digests import DigestBuilder
from bot.services.ports import Publisher

log = logging.getLogger(__name__)


class NotDelivered(Exception):
    """The platform refused a post; the papers not posted stay due for the next run."""


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What a run posted."""

    run_id: str
    digest: Digest
    posted: int


class DigestDelivery:
    """One path for scheduled and on-demand digests, so both obey the same never-twice rule."""

    def __init__(self, repository: Repository, builder: DigestBuilder, clock: Clock):
        self._repository = repository
        self._builder = builder
        self._clock = clock

    async def deliver(
        self, ref: ChannelRef, publisher: Publisher, *, scheduled: bool = False
    ) -> DeliveryReport:
        """Build the channel's digest and post it; raises NotDelivered if the platform fails.

        A scheduled run for a channel that follows nothing posts nothing: silence beats a daily nag.
        """
        run_id = uuid.uuid4().hex[:12]
        with log_context(channel=ref.key, run_id=run_id):
            return await self._deliver(ref, publisher, run_id, scheduled=scheduled)

    async def _deliver(
        self, ref: ChannelRef, publisher: Publisher, run_id: str, *, scheduled: bool
    ) -> DeliveryReport:
        channel = await self._repository.ensure_channel(ref)
        plan = await self._builder.build(channel)
        digest = plan.digest
        if scheduled and not digest.topics:
            return DeliveryReport(run_id=run_id, digest=digest, posted=0)
        claimed = set(await self._repository.record_intent(ref, [i.paper for i in digest.items], run_id))
        if len(claimed) < len(digest.items):
            kept = [i for i in digest.items if i.paper.arxiv_id in claimed]
            digest = replace(digest, items=tuple(replace(i, position=n) for n, i in enumerate(kept, 1)))
        pending = [item.paper.arxiv_id for item in digest.items]
        posted = 0
        try:
            parent = await publisher.post_digest_header(ref, digest)
            for item in digest.items:
                message = await publisher.post_digest_item(ref, digest, item, parent)
                await self._repository.confirm_delivery(ref, item.paper.arxiv_id, message)
                pending.remove(item.paper.arxiv_id)
                posted += 1
        except Exception as error:
            await self._repository.release_intent(ref, pending)
            metrics.count_error(metrics.ERROR_PLATFORM)
            metrics.count_delivery(publisher.platform, posted)
            log.warning("digest run %s for %s stopped after %d posts: %s", run_id, ref.key, posted, error)
            raise NotDelivered(str(error)) from error
        await self._repository.mark_digest_done(ref, self._clock.now(), plan.covered_through)
        metrics.count_digest(publisher.platform, posted)
        log.info("digest run %s for %s posted %d papers", run_id, ref.key, posted)
        return DeliveryReport(run_id=run_id, digest=digest, posted=posted)
