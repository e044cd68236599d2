"""Daily digests on time: one APScheduler cron job per channel, in the channel's own time zone,
and one job that reads arXiv's listing shortly after it turns at midnight US Eastern."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.domain.arxiv_day import ARXIV_TZ
from bot.domain.channel import ChannelRef, ChannelState
from bot.domain.clock import Clock
from bot.domain.schedule import previous_occurrence
from bot.ports import ChannelStore

log = logging.getLogger(__name__)

RunDigest = Callable[[ChannelRef], Awaitable[None]]
RunIngest = Callable[[], Awaitable[None]]
INGEST_JOB_ID = "arxiv-ingest"
# arXiv's feed turns at midnight US Eastern on its announcement days (Monday to Friday); the
# ingest starts a few minutes later and waits there for a feed that has not turned yet.
INGEST_DAYS = "mon-fri"
INGEST_AT = (0, 5)
# A digest may start this late (the loop was busy, the process restarted) and still be sent.
MISFIRE_GRACE = timedelta(hours=12)


def job_id(ref: ChannelRef) -> str:
    """Stable job ids, so rescheduling replaces rather than duplicates."""
    return f"digest:{ref.key}"


class DigestScheduler:
    """Keeps one job per active channel and catches up on digests missed while stopped."""

    def __init__(
        self,
        repository: ChannelStore,
        run_digest: RunDigest,
        clock: Clock,
        platforms: set[str],
        *,
        run_ingest: RunIngest | None = None,
    ):
        self._repository = repository
        self._run_digest = run_digest
        self._run_ingest = run_ingest
        self._clock = clock
        self._platforms = platforms
        self._applied: dict[str, tuple[object, bool]] = {}
        self._scheduler = AsyncIOScheduler(
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
            }
        )

    @property
    def running(self) -> bool:
        """True once started."""
        return bool(self._scheduler.running)

    async def start(self) -> list[ChannelRef]:
        """Schedule every channel from the database; returns channels whose digest was missed."""
        missed: list[ChannelRef] = []
        for channel in await self._repository.all_channels():
            if channel.ref.platform not in self._platforms:
                continue
            self.apply(channel)
            if self.missed_digest(channel):
                missed.append(channel.ref)
        if self._run_ingest is not None:
            self._scheduler.add_job(
                self._run_ingest,
                trigger=CronTrigger(
                    day_of_week=INGEST_DAYS, hour=INGEST_AT[0], minute=INGEST_AT[1], timezone=ARXIV_TZ
                ),
                id=INGEST_JOB_ID,
                name="read arXiv's listing",
                replace_existing=True,
            )
        self._scheduler.start()
        log.info("scheduler started with %d jobs", len(self._scheduler.get_jobs()))
        return missed

    def missed_digest(self, channel: ChannelState) -> bool:
        """True when the channel's last due digest time passed without a digest."""
        since = channel.last_digest_at or channel.created_at
        if channel.paused or since is None:
            return False
        due = previous_occurrence(channel.schedule, self._clock.now())
        return since < due

    async def sync(self) -> int:
        """Pick up schedule changes other processes made in the database; returns jobs changed."""
        changed = 0
        for channel in await self._repository.all_channels():
            if channel.ref.platform not in self._platforms:
                continue
            if self._applied.get(channel.ref.key) != (channel.schedule, channel.paused):
                self.apply(channel)
                changed += 1
        return changed

    def apply(self, channel: ChannelState) -> None:
        """Create, replace or remove the channel's job to match its state."""
        self._applied[channel.ref.key] = (channel.schedule, channel.paused)
        jid = job_id(channel.ref)
        if channel.paused or not channel.schedule.weekdays:
            if self._scheduler.get_job(jid):
                self._scheduler.remove_job(jid)
            return
        trigger = CronTrigger(
            day_of_week=channel.schedule.cron_days,
            hour=channel.schedule.at.hour,
            minute=channel.schedule.at.minute,
            timezone=channel.schedule.timezone,
        )
        self._scheduler.add_job(
            self._run_digest,
            trigger=trigger,
            args=[channel.ref],
            id=jid,
            name=f"digest for {channel.ref.key}",
            replace_existing=True,
        )

    async def on_schedule_change(self, channel: ChannelState) -> None:
        """Engine callback: a channel's schedule or pause flag changed."""
        if channel.ref.platform in self._platforms:
            self.apply(channel)

    def next_run(self, ref: ChannelRef) -> datetime | None:
        """When the channel's next digest fires."""
        job = self._scheduler.get_job(job_id(ref))
        return job.next_run_time if job else None

    def next_ingest(self) -> datetime | None:
        """When the scheduled listing read fires next."""
        job = self._scheduler.get_job(INGEST_JOB_ID)
        return job.next_run_time if job else None

    def shutdown(self) -> None:
        """Stop firing jobs."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
