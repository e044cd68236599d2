"""APScheduler, firing two jobs: the digest tick every minute and the listing ingest after
arXiv's midnight. What is due is data in the database; the jobs are in `bot/services/scheduled.py`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.domain.arxiv_day import ARXIV_TZ

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]
TICK_JOB_ID = "digest-tick"
INGEST_JOB_ID = "arxiv-ingest"
# arXiv's feed turns at midnight US Eastern on its announcement days (Monday to Friday); the
# ingest starts a few minutes later and waits there for a feed that has not turned yet.
INGEST_DAYS = "mon-fri"
INGEST_AT = (0, 5)


class JobScheduler:
    """Fires the tick and the ingest on the running asyncio loop; only the leader starts one.

    The jobs must be coroutine functions (or partials of one): APScheduler's asyncio executor runs
    anything else in a thread, where a coroutine would be created and never awaited.
    """

    def __init__(self, tick: Job, ingest: Job, tick_seconds: float = 60.0) -> None:
        self._tick = tick
        self._ingest = ingest
        self._tick_seconds = tick_seconds
        self._scheduler = AsyncIOScheduler(job_defaults={"coalesce": True, "max_instances": 1})

    @property
    def running(self) -> bool:
        """True once started."""
        return bool(self._scheduler.running)

    def start(self) -> None:
        """Add both jobs and start firing (the leader runs a first tick itself, before starting)."""
        self._scheduler.add_job(
            self._tick,
            trigger=IntervalTrigger(seconds=self._tick_seconds),
            id=TICK_JOB_ID,
            name="post the digests due now",
            replace_existing=True,
        )
        self._scheduler.add_job(
            self._ingest,
            trigger=CronTrigger(
                day_of_week=INGEST_DAYS, hour=INGEST_AT[0], minute=INGEST_AT[1], timezone=ARXIV_TZ
            ),
            id=INGEST_JOB_ID,
            name="read arXiv's listing",
            replace_existing=True,
        )
        self._scheduler.start()
        log.info(
            "scheduler started with %d jobs (digests due are looked for every %.0f s)",
            len(self._scheduler.get_jobs()),
            self._tick_seconds,
        )

    def next_ingest(self) -> datetime | None:
        """When the scheduled listing read fires next."""
        job = self._scheduler.get_job(INGEST_JOB_ID)
        return job.next_run_time if job else None

    def shutdown(self) -> None:
        """Stop firing jobs (runs already started go on; the runner waits for them)."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
