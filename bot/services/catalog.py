"""The paper catalog: arXiv's daily listing and single papers, read once and kept in the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.domain.arxiv_day import arxiv_midnight, arxiv_today
from bot.domain.clock import Clock
from bot.domain.listing import Listing
from bot.domain.paper import Paper
from bot.ports import ListedPapers, ListingFetch, MissLog, PaperArchive, PaperSource, SourceUnavailable
from bot.services.ingest import IngestFollowUp, IngestReport, ListingNotTurned, NoFollowUp

__all__ = ["IngestFollowUp", "IngestReport", "ListingNotTurned", "NoFollowUp", "PaperCatalog"]

log = logging.getLogger(__name__)

PAPER_MAX_AGE = timedelta(days=1)
# Held around one on-demand arXiv request (a person's look-up limit); may refuse by raising.
Admission = AbstractAsyncContextManager[object]
# A feed that has not turned at midnight Eastern is read again this often, for this long after
# midnight, before digests go out with what there is (and say they are late).
TURN_RETRY = timedelta(minutes=5)
TURN_GRACE = timedelta(hours=2)
# Past the grace, a listing that still has not turned is asked for again this often.
LATE_RETRY = timedelta(minutes=30)
# How long a category arXiv answered 400 for stays out of listing requests.
REFUSAL_MEMORY = timedelta(days=7)
# Papers the listing named but the bot could not see, and papers only the listing described, are
# looked up again at later ingests for this many days (arXiv's API lags its feed by up to a day).
CATCH_UP_DAYS = timedelta(days=4)
CATCH_UP_LIMIT = 2000


def categories_key(categories: Iterable[str]) -> str:
    """One canonical text for a set of categories, as arXiv's RSS wants it (`a+b`)."""
    return "+".join(sorted({c for c in categories if c}))


def covers(listed: Iterable[str], needed: Iterable[str]) -> bool:
    """True when every needed category is in the listing, itself or through its archive."""
    have = set(listed)
    return all(c in have or c.split(".")[0] in have for c in needed)


class PaperCatalog:
    """Reads arXiv politely: one listing request a day for every channel's categories together."""

    def __init__(
        self,
        repository: PaperArchive,
        source: PaperSource,
        clock: Clock,
        *,
        listings: ListedPapers,
        misses: MissLog,
        failure_cooldown: timedelta = timedelta(minutes=1),
        follow_up: IngestFollowUp | None = None,
    ):
        self._repository = repository
        self._source = source
        self._clock = clock
        self._listings = listings
        self._misses = misses
        self._lock = asyncio.Lock()
        self._failure_cooldown = failure_cooldown
        self._last_failure: tuple[datetime, SourceUnavailable] | None = None
        # Replaceable while wiring the services: told after each listing read.
        self.follow_up: IngestFollowUp = follow_up or NoFollowUp()

    async def refresh(
        self,
        needed: Iterable[str],
        *,
        everything: Callable[[], Awaitable[Iterable[str]]] | None = None,
        force: bool = False,
        wait_for_turn: bool = False,
    ) -> IngestReport:
        """Ingest today's listing unless one read since arXiv's day turned covers `needed`.

        A fetch reads `everything` (the categories of every channel) in one request, so arXiv
        requests do not grow with channels. With `wait_for_turn`, raises ListingNotTurned while
        the feed shows yesterday within TURN_GRACE of midnight Eastern (after ingesting it).
        """
        wanted = {c for c in needed if c}
        if not wanted:
            return IngestReport(day=None, skipped=False, new_papers=0, fetched=False)
        async with self._lock:
            now = self._clock.now()
            refused = await self._listings.refused(now - REFUSAL_MEMORY)
            last = await self._repository.last_listing()
            if not force and last is not None and self._fresh(last, wanted, now):
                report = self._stored_report(last, refused, now)
            else:
                if self._last_failure and now - self._last_failure[0] < self._failure_cooldown:
                    raise self._last_failure[1]
                if everything is not None:
                    wanted |= set(await everything())
                report = await self._ingest(wanted, refused, now)
        if report.fetched:
            await self._tell_follow_up(report)
        if wait_for_turn and report.behind and now < arxiv_midnight(now) + TURN_GRACE:
            assert report.expected_day is not None
            raise ListingNotTurned(report.expected_day, report.day)
        return report

    def _fresh(self, last: ListingFetch, wanted: set[str], now: datetime) -> bool:
        if last.fetched_at is None or not covers(last.categories.split("+"), wanted):
            return False
        if last.fetched_at < arxiv_midnight(now):
            return False  # arXiv's day has turned since
        oldest = _oldest(last)
        if oldest is None or oldest < arxiv_today(now):  # the feed had not turned: ask again soon
            waiting = now < arxiv_midnight(now) + TURN_GRACE
            return now - last.fetched_at < (TURN_RETRY if waiting else LATE_RETRY)
        return True

    def _stored_report(self, last: ListingFetch, refused: dict[str, str], now: datetime) -> IngestReport:
        oldest, today = _oldest(last), arxiv_today(now)
        return IngestReport(
            day=last.day,
            skipped=last.skipped,
            new_papers=0,
            fetched=False,
            behind=oldest is None or oldest < today,
            expected_day=today,
            refused=frozenset(refused),
        )

    async def _ingest(self, wanted: set[str], refused: dict[str, str], now: datetime) -> IngestReport:
        asked = sorted(wanted - set(refused))
        nothing_to_ask = Listing(arxiv_today(now), (), requests=0)  # every category is refused
        try:
            listing = await self._source.fetch_listing(asked) if asked else nothing_to_ask
        except SourceUnavailable as error:
            self._last_failure = (now, error)
            raise
        self._last_failure = None
        if listing.refused:
            await self._listings.remember_refused(listing.refused, now)
        ids = listing.ids()
        saved, incomplete = await self._save_listed(listing, ids)
        by_day: dict[date, list[str]] = {}
        for entry in listing.entries:
            if entry.day is not None and entry.arxiv_id in ids:
                by_day.setdefault(entry.day, []).append(entry.arxiv_id)
        for day, group in by_day.items():
            await self._repository.stamp_announced(group, day)
        await self._listings.record_listed(by_day)
        key = categories_key(wanted)
        await self._repository.record_listing(
            key, listing.day, len(ids), listing.skipped, earliest_day=listing.oldest
        )
        oldest, today = listing.oldest, arxiv_today(now)
        log.info("listing %s (day %s): %d papers, %d saved, %d from the listing alone, %d requests",
                 key if len(key) < 200 else f"{key[:200]}...", listing.day, len(ids), saved, incomplete,
                 listing.requests)  # fmt: skip
        return IngestReport(
            day=listing.day,
            skipped=listing.skipped,
            new_papers=saved,
            fetched=True,
            ids=tuple(ids),
            behind=oldest is None or oldest < today,
            expected_day=today,
            refused=frozenset(refused) | frozenset(listing.refused),
            requests=listing.requests,
            incomplete=incomplete,
        )

    async def _save_listed(self, listing: Listing, ids: list[str]) -> tuple[int, int]:
        """Store the listed papers: arXiv's API metadata where it has them, else the listing's own
        description (incomplete); earlier papers not yet seen or complete are looked up again."""
        entries = {e.arxiv_id: e for e in listing.entries}
        listed = listing.versions()
        stored = await self._repository.papers(ids)
        missing = [i for i in ids if i not in stored or stored[i].version < listed.get(i, 1)]
        since = (listing.oldest or arxiv_today(self._clock.now())) - CATCH_UP_DAYS
        unseen = await self._listings.unseen(since)
        again = await self._listings.incomplete(since, CATCH_UP_LIMIT)
        described = [i for i in ids if i in stored and not stored[i].complete]
        wanted = list(dict.fromkeys([*missing, *described, *unseen, *again]))
        found = await self._api_metadata(wanted)
        days = {**unseen, **{i: e.day for i, e in entries.items() if e.day is not None}}
        papers = [replace(p, announced=days.get(p.arxiv_id, p.announced)) for p in found]
        have = {p.arxiv_id for p in papers}
        built = [p for i in missing if i not in have and (p := entries[i].paper) is not None]
        await self._repository.save_papers([*papers, *built])
        if lost := [i for i in missing if i not in have and entries[i].paper is None]:
            log.warning("%d listed papers could neither be read from the listing nor fetched (%s); "
                        "channels' coverage stays before them", len(lost), ", ".join(lost[:5]))  # fmt: skip
        return len(papers) + len(built), len(built)

    async def _api_metadata(self, ids: list[str]) -> list[Paper]:
        """The API's metadata of these ids, as far as it has them; nothing when it does not answer."""
        if not ids:
            return []
        try:
            return await self._source.fetch_listed_papers(ids, None)
        except SourceUnavailable as error:
            log.warning("arXiv's API did not give the metadata of %d listed papers (%s); the listing's "
                        "own description stands in until a later ingest", len(ids), error)  # fmt: skip
            return []

    async def _tell_follow_up(self, report: IngestReport) -> None:
        try:
            await self.follow_up.after_ingest(report)
        except Exception:
            log.exception("the ingest follow-up failed (the listing itself is stored)")

    async def seen_through(self) -> date | None:
        """The newest announcement day whose every listed paper the bot holds: a channel's coverage
        never moves past it (a lagging part of the listing or a paper it could not see holds it)."""
        latest = await self._repository.latest_announced_day()
        if latest is None:
            return None
        limits = [latest]
        last = await self._repository.last_listing()
        if last is not None and (oldest := _oldest(last)) is not None:
            limits.append(oldest)
        if unseen := await self._listings.unseen(latest - CATCH_UP_DAYS):
            limits.append(min(unseen.values()) - timedelta(days=1))
        return min(limits)

    async def in_current_listing(self, arxiv_id: str) -> bool:
        """Whether the latest listing named this id: such an id is never unknown, whatever arXiv's
        API says yet."""
        last = await self._repository.last_listing()
        oldest = _oldest(last) if last is not None else None
        return oldest is not None and await self._listings.is_listed(arxiv_id, oldest)

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

    async def paper(self, arxiv_id: str, *, admission: Admission | None = None) -> Paper | None:
        """One paper: from the database when fetched within a day, else from arXiv; a paper only
        the listing has described yet is completed from the API when it can be.

        An id arXiv recently had no paper for is not asked about again (`remembered_miss`).
        `admission` is entered around the arXiv request alone: answers from the database never
        count against a person's look-ups (it may refuse, raising, before anything is asked).
        """
        since = self._clock.now() - PAPER_MAX_AGE
        cached = await self._repository.paper_fetched_since(arxiv_id, since)
        if cached is not None and cached.complete:
            return cached
        if await self.remembered_miss(arxiv_id) is None:
            async with admission or nullcontext():
                found = await self._source.fetch_papers([arxiv_id])
            if found:
                await self._repository.save_papers(found)
                return found[0]
            await self._remember_miss(arxiv_id)
        return cached or (await self._repository.papers([arxiv_id])).get(arxiv_id)

    async def remembered_miss(self, arxiv_id: str) -> datetime | None:
        """When arXiv will next be asked about an id it recently had no paper for; None: at once.

        Never for an id the current listing names: arXiv's API lags its feed by up to a day, and
        such a paper is completed from the API as soon as it has it.
        """
        now = self._clock.now()
        missed = (await self._misses.remembered([arxiv_id], now)).get(arxiv_id)
        if missed is None or await self.in_current_listing(arxiv_id):
            return None
        return missed + self._misses.keep

    async def _remember_miss(self, arxiv_id: str) -> None:
        """arXiv answered with no paper (a failure raises before this, so is never remembered)."""
        if self._misses.enabled and not await self.in_current_listing(arxiv_id):
            await self._misses.remember([arxiv_id], self._clock.now())


def _oldest(listing: ListingFetch) -> date | None:
    return listing.earliest_day or listing.day
