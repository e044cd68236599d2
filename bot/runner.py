"""`paperboy run`: the adapters and the scheduler on one asyncio loop, until told to stop.

Every process runs its adapters; only the leader (see bot/infra/leader.py) runs the scheduler,
whose tick asks the database which digests are due, so several processes on one database never
post a digest twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from functools import partial
from typing import Any

from bot.app import Services, build_jobs, build_prewriter
from bot.infra.leader import LeaderElection, LeaderLock, leader_lock_for
from bot.infra.scheduler import JobScheduler
from bot.ports import ChatAdapter
from bot.services import scheduled
from bot.services.ingest import FollowUps, MeaningAtIngest
from bot.services.prewrite import WriteAheadInBackground

log = logging.getLogger(__name__)

# How long SIGTERM waits for digests in flight to finish their posts.
SHUTDOWN_GRACE_SECONDS = 60.0


class Runner:
    """Starts adapters, leads or follows, runs the scheduler's jobs when leading, stops cleanly."""

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
        self._closed: dict[str, asyncio.Future[None]] = {}
        self._serve_health = serve_health
        self.jobs = build_jobs(services)
        self.scheduler = self._new_scheduler()
        self.election = LeaderElection(
            leader_lock or leader_lock_for(services.settings.resolved_database_url),
            retry_seconds=services.settings.leader_retry_seconds,
            on_elected=self._lead,
            on_deposed=self._follow,
            on_tick=self._keep_scheduling,
        )
        # Each listing read starts, in the background, embedding its papers and writing the digests'
        # explanations ahead.
        prewriter = build_prewriter(services)
        self.write_ahead = WriteAheadInBackground(prewriter) if prewriter is not None else None
        self.meaning = MeaningAtIngest(services.engine.builder.relevance)
        services.catalog.follow_up = FollowUps(
            [self.meaning, *([self.write_ahead] if self.write_ahead else [])]
        )

    def _new_scheduler(self) -> JobScheduler:
        # partial, not lambda: APScheduler awaits a job on the loop only if it sees a coroutine function.
        return JobScheduler(
            partial(scheduled.tick, self.jobs),
            partial(scheduled.ingest, self.jobs),
            self._services.settings.scheduler_tick_seconds,
        )

    async def _lead(self) -> None:
        """Won the leadership: settle what a dead leader left, post what is due, start the jobs."""
        if self.scheduler.running:
            return
        # Claims left by a leader that died mid-post are settled before anything is posted again.
        await self._services.engine.delivery.posts.reconcile()
        await scheduled.tick(self.jobs)  # digests missed while no one led start now
        self.scheduler = self._new_scheduler()
        self.scheduler.start()

    async def _follow(self) -> None:
        """Lost the leadership: stop firing jobs (digests in flight finish; claims keep them unique)."""
        self.scheduler.shutdown()

    async def _keep_scheduling(self) -> None:
        """Each check-in of the leader: retry a scheduler that failed to start."""
        if not self.scheduler.running:
            await self._lead()

    def _in_flight(self) -> set[asyncio.Task[Any]]:
        """The scheduler's jobs and every delivery run still going (on-demand ones included)."""
        return set(self.jobs.tasks) | set(self._services.engine.delivery.in_flight)

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Ready when every adapter is connected and the leader's scheduler runs (or we follow)."""
        adapters = {adapter.platform: self._connected(adapter) for adapter in self._adapters}
        leader = self.election.is_leader
        scheduler = self.scheduler.running
        details: dict[str, Any] = {
            "role": "leader" if leader else "follower",
            "scheduler": "running" if scheduler else "stopped",
            "adapters": adapters,
            "digests_in_flight": len(self._in_flight()),
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
            log.info("stopping: letting %d digest(s) in flight finish", len(self._in_flight()))
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
        await self.meaning.stop()
        if self.write_ahead is not None:
            await self.write_ahead.stop()
        # Scheduled and on-demand runs finish their posts; a tick still in its query may start a
        # run, so wait until nothing is left in flight, within the grace.
        deadline = asyncio.get_running_loop().time() + SHUTDOWN_GRACE_SECONDS
        while (busy := self._in_flight()) and (left := deadline - asyncio.get_running_loop().time()) > 0:
            await asyncio.wait(busy, timeout=left)
        await self.election.resign()
        for adapter in self._adapters:
            await adapter.stop()
