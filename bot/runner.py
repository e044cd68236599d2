"""`paperboy run`: the adapters and the scheduler on one asyncio loop, until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential,
)

from bot.app import Services, build_cycle
from bot.domain.channel import ChannelRef
from bot.domain.replies import Notice, Tone
from bot.services.delivery import NotDelivered
from bot.services.due_digests import DueDigests
from bot.services.ports import ChatAdapter, SourceUnavailable
from bot.services.scheduling import DigestScheduler

log = logging.getLogger(__name__)


class Runner:
    """Starts adapters, schedules digests, catches up on missed ones, stops cleanly."""

    def __init__(self, services: Services, adapters: Sequence[ChatAdapter]):
        self._services = services
        self._adapters = list(adapters)
        self._digests: set[asyncio.Task[None]] = set()
        self.scheduler = DigestScheduler(
            services.repository,
            self.run_digest,
            services.engine.clock,
            {adapter.platform for adapter in adapters},
        )
        services.engine.on_schedule_change(self.scheduler.on_schedule_change)
        # Channels due at the same minute share one batch cycle (see bot/services/due_digests.py).
        self.due = DueDigests(build_cycle(services), services.engine.publisher_for)

    async def run_digest(self, ref: ChannelRef) -> None:
        """A scheduled digest for one channel; failures are logged, never raised into the loop.

        While arXiv is down the digest waits and retries with backoff; past a while the channel
        is told it is late and why, once.
        """
        publisher = self._services.engine.publisher_for(ref.platform)
        if publisher is None:
            log.warning("no %s adapter running; digest for %s skipped", ref.platform, ref.key)
            return
        settings = self._services.settings
        loop = asyncio.get_running_loop()
        started = loop.time()
        told_late = False

        async def maybe_tell_late(state: RetryCallState) -> None:
            nonlocal told_late
            error = state.outcome.exception() if state.outcome else None
            log.warning(
                "digest for %s waits for arXiv (attempt %d): %s", ref.key, state.attempt_number, error
            )
            if not told_late and loop.time() - started >= settings.digest_late_after:
                told_late = True
                notice = Notice(
                    f"Today's digest is late: {error} It will be posted as soon as arXiv answers again.",
                    Tone.WARNING,
                )
                with contextlib.suppress(Exception):
                    await publisher.post_reply(ref, notice)

        retrying = AsyncRetrying(
            retry=retry_if_exception_type(SourceUnavailable),
            wait=wait_exponential(multiplier=settings.digest_retry_seconds, max=15 * 60),
            stop=stop_after_delay(settings.digest_give_up_after),
            before_sleep=maybe_tell_late,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self.due.deliver(ref)
        except SourceUnavailable as error:
            log.error("gave up on the digest for %s: %s", ref.key, error)
        except NotDelivered as error:
            log.warning("digest for %s not delivered: %s", ref.key, error)
        except Exception:
            log.exception("scheduled digest for %s failed", ref.key)

    async def run(self) -> None:
        """Run until SIGTERM/SIGINT, or until every adapter has closed (console end of input)."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
        for adapter in self._adapters:
            await adapter.start()
        await self._services.engine.delivery.reconcile(self._services.engine.publisher_for)
        for ref in await self.scheduler.start():
            log.info("catching up on the missed digest of %s", ref.key)
            task = asyncio.create_task(self.run_digest(ref))
            self._digests.add(task)
            task.add_done_callback(self._digests.discard)
        closed = asyncio.ensure_future(asyncio.gather(*(a.wait_closed() for a in self._adapters)))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({closed, stopping}, return_when=asyncio.FIRST_COMPLETED)
        await self.shutdown()
        for future in (closed, stopping):
            future.cancel()

    async def shutdown(self) -> None:
        """Stop scheduling, let digests in flight finish their posts, disconnect."""
        self.scheduler.shutdown()
        if self._digests:
            await asyncio.wait(self._digests, timeout=60)
        for adapter in self._adapters:
            await adapter.stop()
