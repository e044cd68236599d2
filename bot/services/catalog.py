"""The paper catalog: arXiv's daily listing and single papers, read once and kept in the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.domain.clock import Clock
from bot.domain.paper import Paper
from bot.infra.storage.repository import Repository
from bot.services.ports import PaperSource, SourceUnavailable

log = logging.getLogger(__name__)

LISTING_MAX_AGE = timedelta(hours=2)
PAPER_MAX_AGE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingest did: the listing day, whether arXiv skipped it, and the new papers."""

    day: date | None
    skipped: bool
    new_papers: int
    fetched: bool


def categories_key(categories: Iterable[str]) -> str:
    """One canonical text for a set of categories, as arXiv's RSS wants it (`a+b`)."""
    return "+".join(sorted({c for c in categories if c}))


def covers(listed: Iterable[str], needed: Iterable[str]) -> bool:
    """True when every needed category is in the listing, itself or through its archive."""
    have = set(listed)
    return all(c in have or c.split(".")[0] in have for c in needed)


class PaperCatalog:
    """Reads arXiv politely: one listing fetch per set of categories every few hours."""

    def __init__(
        self,
        repository: Repository,
        source: PaperSource,
        clock: Clock,
        *,
        failure_cooldown: timedelta = timedelta(minutes=1),
    ):
        self._repository = repository
        self._source = source
        self._clock = clock
        self._lock = asyncio.Lock()
        self._failure_cooldown = failure_cooldown
        self._last_failure: tuple[datetime, SourceUnavailable] | None = None

    async def refresh(
        self,
        needed: Iterable[str],
        *,
        everything: Callable[[], Awaitable[Iterable[str]]] | None = None,
        force: bool = False,
    ) -> IngestReport:
        """Ingest today's listing unless a recent one already covers the `needed` categories.

        When a fetch is due it reads `everything` (the categories of every channel) in one
        request, so the number of arXiv requests does not grow with the number of channels.
        """
        wanted = {c for c in needed if c}
        if not wanted:
            return IngestReport(day=None, skipped=False, new_papers=0, fetched=False)
        async with self._lock:
            last = await self._repository.last_listing()
            fresh = last and last.fetched_at and self._clock.now() - last.fetched_at < LISTING_MAX_AGE
            if fresh and not force and last and covers(last.categories.split("+"), wanted):
                return IngestReport(day=last.day, skipped=last.skipped, new_papers=0, fetched=False)
            if self._last_failure and self._clock.now() - self._last_failure[0] < self._failure_cooldown:
                raise self._last_failure[1]
            if everything is not None:
                wanted |= set(await everything())
            key = categories_key(wanted)
            try:
                listing = await self._source.fetch_listing(key.split("+"))
            except SourceUnavailable as error:
                self._last_failure = (self._clock.now(), error)
                raise
            self._last_failure = None
            ids = listing.ids()
            listed = listing.versions()
            stored = await self._repository.papers(ids)
            # A paper already stored at the listed version is not fetched again.
            missing = [i for i in ids if i not in stored or stored[i].version < listed.get(i, 1)]
            papers = await self._source.fetch_listed_papers(missing, listing.day)
            await self._repository.save_papers(papers)
            await self._repository.stamp_announced(ids, listing.day)
            await self._repository.record_listing(key, listing.day, len(ids), listing.skipped)
            log.info("listing %s (day %s): %d papers, %d fetched", key, listing.day, len(ids), len(papers))
            return IngestReport(listing.day, listing.skipped, len(papers), fetched=True)

    async def backfill(self, categories: Iterable[str], day: date) -> int:
        """Papers submitted on a past day (arXiv's API search), stored as announced that day."""
        key = categories_key(categories)
        stamp = f"{day:%Y%m%d}"
        scope = " OR ".join(f"cat:{c}" if "." in c else f"cat:{c}.*" for c in key.split("+"))
        query = f"({scope}) AND submittedDate:[{stamp}0000 TO {stamp}2359]"
        found = await self._source.search(query, max_results=2000)
        papers = [replace(p, announced=day) for p in found]
        await self._repository.save_papers(papers)
        return len(papers)

    async def paper(self, arxiv_id: str) -> Paper | None:
        """One paper, from the database when it was fetched within a day, else from arXiv."""
        since = self._clock.now() - PAPER_MAX_AGE
        cached = await self._repository.paper_fetched_since(arxiv_id, since)
        if cached is not None:
            return cached
        found = await self._source.fetch_papers([arxiv_id])
        if not found:
            return None
        await self._repository.save_papers(found)
        return found[0]

    async def papers(self, ids: Sequence[str]) -> list[Paper]:
        """Several papers, fetching only those not already stored."""
        stored = await self._repository.papers(ids)
        missing = [i for i in ids if i not in stored]
        if missing:
            fetched = await self._source.fetch_papers(missing)
            await self._repository.save_papers(fetched)
            stored.update((p.arxiv_id, p) for p in fetched)
        return [stored[i] for i in ids if i in stored]
