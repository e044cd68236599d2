"""`paperboy run`: the adapters and the scheduler on one asyncio loop, until told to stop.

Every process runs its adapters; only the leader (see bot/infra/leader.py) runs the scheduler
and the catch-up, so several processes on one database never schedule a digest twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential,
)

from bot import metrics
from bot.app import Services, build_cycle, build_prewriter
from bot.domain.channel import ChannelRef, ChannelState
from bot.domain.replies import Notice, Tone
from bot.infra.leader import LeaderElection, LeaderLock, leader_lock_for
from bot.ports import ChatAdapter, Publisher, SourceUnavailable
from bot.services.delivery import NotDelivered
from bot.services.due_digests import DueDigests
from bot.services.prewrite import WriteAheadInBackground
from bot.services.scheduling import DigestScheduler

log = logging.getLogger(__name__)

# How long SIGTERM waits for digests in flight to finish their posts.
SHUTDOWN_GRACE_SECONDS = 60.0


class Runner:
    """Starts adapters, leads or follows, schedules digests, catches up on missed ones, stops cleanly."""

    def __init__(
        self,
        services: Services,
        adapters: Sequence[ChatAdapter],
        *,
        leader_lock: LeaderLock | None = None,
        serve_health: bool = False,
    ):
        self._services = services
        self._adapters = list(adapters)
        self._digests: set[asyncio.Task[Any]] = set()
        self._closed: dict[str, asyncio.Future[None]] = {}
        self._serve_health = serve_health
        self.scheduler = self._new_scheduler()
        self.election = LeaderElection(
            leader_lock or leader_lock_for(services.settings.resolved_database_url),
            retry_seconds=services.settings.leader_retry_seconds,
            on_elected=self._lead,
            on_deposed=self._follow,
            on_tick=self._sync_schedules,
        )
        services.engine.on_schedule_change(self._schedule_changed)
        # Each listing read starts writing the digests' explanations ahead, in the background.
        prewriter = build_prewriter(services)
        self.write_ahead = WriteAheadInBackground(prewriter) if prewriter is not None else None
        if self.write_ahead is not None:
            services.catalog.follow_up = self.write_ahead
        # Channels due at the same minute share one batch cycle (see bot/services/due_digests.py).
        self.due = DueDigests(build_cycle(services), services.engine.publisher_for)

    def _new_scheduler(self) -> DigestScheduler:
        return DigestScheduler(
            self._services.repository,
            self.run_digest,
            self._services.engine.clock,
            {adapter.platform for adapter in self._adapters},
            run_ingest=self.run_ingest,
        )

    async def run_ingest(self) -> None:
        """Scheduled, shortly after arXiv's midnight on announcement days, digest due or not: read the
        day's listing (waiting up to two hours for a feed that has not turned), so what follows an
        ingest (explanations written ahead) can start, and weekly digests find every day stored."""
        task = asyncio.current_task()
        if task is not None:
            self._digests.add(task)
        settings, catalog = self._services.settings, self._services.catalog
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(SourceUnavailable),
            wait=wait_exponential(multiplier=settings.digest_retry_seconds, max=15 * 60),
            stop=stop_after_delay(settings.digest_give_up_after),
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
                    categories = await self._services.engine.builder.all_categories()
                    report = await catalog.refresh(categories, wait_for_turn=True)
            late = " (arXiv's feed had not turned; read what there was)" if report.behind else ""
            log.info("scheduled ingest: listing of %s, %d papers named%s", report.day, len(report.ids), late)
        except SourceUnavailable as error:
            log.error("gave up on the scheduled ingest: %s", error)
        except Exception:
            log.exception("scheduled ingest failed")
        finally:
            if task is not None:
                self._digests.discard(task)

    async def run_digest(self, ref: ChannelRef) -> None:
        """A scheduled digest for one channel; failures are logged, never raised into the loop."""
        task = asyncio.current_task()
        if task is not None:  # so shutdown waits for scheduler-started digests too
            self._digests.add(task)
        try:
            publisher = self._services.engine.publisher_for(ref.platform)
            if publisher is None:
                log.warning("no %s adapter running; digest for %s skipped", ref.platform, ref.key)
                return
            await self._deliver_waiting_for_arxiv(ref, publisher)
        except SourceUnavailable as error:
            metrics.count_error(metrics.ERROR_DIGEST)
            log.error("gave up on the digest for %s: %s", ref.key, error)
        except NotDelivered as error:
            log.warning("digest for %s not delivered: %s", ref.key, error)
        except Exception:
            metrics.count_error(metrics.ERROR_DIGEST)
            log.exception("scheduled digest for %s failed", ref.key)
        finally:
            if task is not None:
                self._digests.discard(task)

    async def _deliver_waiting_for_arxiv(self, ref: ChannelRef, publisher: Publisher) -> None:
        """Deliver; while arXiv is down wait with backoff, and tell the channel once when late."""
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
                    f"Today's digest is late: {str(error).rstrip('.')}. "
                    "It will be posted as soon as arXiv answers again.",
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
        async for attempt in retrying:
            with attempt:
                await self.due.deliver(ref)

    async def _lead(self) -> None:
        """Won the leadership: schedule every channel and catch up on missed digests."""
        if self.scheduler.running:
            return
        # Claims left by a leader that died mid-post are settled before anything is posted again.
        await self._services.engine.delivery.reconcile(self._services.engine.publisher_for)
        self.scheduler = self._new_scheduler()
        for ref in await self.scheduler.start():
            log.info("catching up on the missed digest of %s", ref.key)
            task = asyncio.create_task(self.run_digest(ref))
            self._digests.add(task)
            task.add_done_callback(self._digests.discard)

    async def _follow(self) -> None:
        """Lost the leadership: stop firing jobs (digests in flight finish; claims keep them unique)."""
        self.scheduler.shutdown()

    async def _sync_schedules(self) -> None:
        """Each tick of the leader: retry a failed start, pick up changes made by other processes."""
        if not self.scheduler.running:
            await self._lead()
        else:
            await self.scheduler.sync()

    async def _schedule_changed(self, channel: ChannelState) -> None:
        if self.scheduler.running:
            await self.scheduler.on_schedule_change(channel)

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Ready when every adapter is connected and the leader's scheduler runs (or we follow)."""
        adapters = {adapter.platform: self._connected(adapter) for adapter in self._adapters}
        leader = self.election.is_leader
        scheduler = self.scheduler.running
        details: dict[str, Any] = {
            "role": "leader" if leader else "follower",
            "scheduler": "running" if scheduler else "stopped",
            "adapters": adapters,
            "digests_in_flight": len(self._digests),
        }
        if self.election.last_error:
            details["leader_election_error"] = self.election.last_error
        healthy = bool(adapters) and all(adapters.values()) and (scheduler if leader else True)
        return healthy, details

    def _connected(self, adapter: ChatAdapter) -> bool:
        closed = self._closed.get(adapter.platform)
        if closed is None or closed.done():
            return False
        # Adapters that know their connection state (a websocket) say so with `connected`.
        return bool(getattr(adapter, "connected", True))

    async def run(self) -> None:
        """Run until SIGTERM/SIGINT, or until every adapter has closed (console end of input)."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def interrupted() -> None:
            # Ctrl-C cancels the console's running command when there is one; else it stops us.
            if not any(getattr(adapter, "interrupt", lambda: False)() for adapter in self._adapters):
                stop.set()

        for signum, handler in ((signal.SIGTERM, stop.set), (signal.SIGINT, interrupted)):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, handler)
        health = None
        if self._serve_health and self._services.settings.health_port:
            from bot.infra.health import HealthServer

            settings = self._services.settings
            health = HealthServer(settings.health_host, settings.health_port, self.health)
            await health.start()
        for adapter in self._adapters:
            await adapter.start()
            self._closed[adapter.platform] = asyncio.ensure_future(adapter.wait_closed())
        await self.election.step()  # the first process leads at once; others follow and retry
        if not self.election.is_leader:
            log.info("another process is the scheduler leader; following (retrying every %.0f s)",
                     self._services.settings.leader_retry_seconds)  # fmt: skip
        electing = asyncio.create_task(self._keep_electing(), name="leader-election")
        closed: asyncio.Future[Any] = asyncio.ensure_future(asyncio.gather(*self._closed.values()))
        stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
        await asyncio.wait([closed, stopping], return_when=asyncio.FIRST_COMPLETED)
        if stopping.done():
            log.info("stopping: letting %d digest(s) in flight finish", len(self._digests))
        electing.cancel()
        await self.shutdown()
        if health is not None:
            await health.stop()
        for future in (closed, stopping, electing):
            future.cancel()
        await asyncio.gather(closed, stopping, electing, return_exceptions=True)

    async def _keep_electing(self) -> None:
        await asyncio.sleep(self._services.settings.leader_retry_seconds)
        await self.election.run()

    async def shutdown(self) -> None:
        """Stop scheduling, let digests in flight finish their posts, step down, disconnect."""
        self.scheduler.shutdown()
        if self.write_ahead is not None:
            await self.write_ahead.stop()
        if self._digests:
            await asyncio.wait(self._digests, timeout=SHUTDOWN_GRACE_SECONDS)
        await self.election.resign()
        for adapter in self._adapters:
            await adapter.stop()
