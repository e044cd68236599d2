"""Scheduled digests in tests, the way `paperboy run`'s leader posts them: through the tick."""

from __future__ import annotations

import asyncio

from bot.app import Services, build_jobs
from bot.domain.channel import ChannelRef
from bot.services import scheduled
from bot.services.delivery_report import RunReport
from bot.services.scheduled import ScheduledJobs


async def post_scheduled(
    services: Services, *refs: ChannelRef, jobs: ScheduledJobs | None = None
) -> RunReport | None:
    """These channels' digests fall due now; one tick runs them; returns the run's report once done."""
    jobs = jobs or build_jobs(services)
    now = services.engine.clock.now()
    for ref in refs:
        await services.repository.ensure_channel(ref)
        await services.times.reschedule(ref, now)
    await scheduled.tick(jobs)
    reports = await asyncio.gather(*jobs.tasks)
    assert len(reports) <= 1, "one tick makes one run"
    return reports[0] if reports else None
