"""Scheduled digests due together go out in one cycle: APScheduler fires one job per channel.

At 09:00 thousands of channels may be due at once. Each job asks `deliver(ref)` and waits; the
channels that asked within `window` seconds of each other are served by one `DigestCycle.run`,
and each job gets its own channel's outcome, so its retries and late notices work as before.
"""

from __future__ import annotations

import asyncio
import logging

from bot.domain.channel import ChannelRef
from bot.services.delivery import NotDelivered
from bot.services.digest_cycle import DigestCycle, PublisherFor

log = logging.getLogger(__name__)

GATHER_SECONDS = 0.5


class DueDigests:
    """Gathers channels whose digests are due into one batch cycle."""

    def __init__(self, cycle: DigestCycle, publisher_for: PublisherFor, window: float = GATHER_SECONDS):
        self._cycle = cycle
        self._publisher_for = publisher_for
        self._window = window
        self._waiting: dict[str, tuple[ChannelRef, asyncio.Future[None]]] = {}
        self._flush: asyncio.Task[None] | None = None

    async def deliver(self, ref: ChannelRef) -> None:
        """Post the channel's scheduled digest with the others due now.

        Raises what the channel's own run would: SourceUnavailable when arXiv cannot be read,
        NotDelivered when the platform refused this channel's posts.
        """
        entry = self._waiting.get(ref.key)
        if entry is None:
            entry = (ref, asyncio.get_running_loop().create_future())
            self._waiting[ref.key] = entry
        if self._flush is None:
            self._flush = asyncio.create_task(self._run_soon())
        await asyncio.shield(entry[1])

    async def _run_soon(self) -> None:
        await asyncio.sleep(self._window)
        batch, self._waiting, self._flush = self._waiting, {}, None
        refs = [ref for ref, _ in batch.values()]
        log.info("scheduled digests for %d channels in one cycle", len(refs))
        try:
            report = await self._cycle.run(refs, self._publisher_for)
        except Exception as error:
            for _, future in batch.values():
                future.set_exception(error)
            return
        failed = {ref.key for ref in report.failed}
        for key, (_, future) in batch.items():
            if key in failed:
                future.set_exception(NotDelivered("the platform refused the digest's posts"))
            else:
                future.set_result(None)
