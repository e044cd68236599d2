"""What an ingest of arXiv's listing reports, and the one seam told after each: `after_ingest`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.ports import Relevance, SourceUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingest did (or, when `fetched` is False, what the stored listing says).

    `ids` are the new and cross-listed papers the listing named; `behind` is True while the
    listing (or a part of it) still shows a day before arXiv's today; `refused` names the
    categories arXiv refuses; `incomplete` counts papers built from the listing alone.
    """

    day: date | None
    skipped: bool
    new_papers: int
    fetched: bool
    ids: tuple[str, ...] = ()
    behind: bool = False
    expected_day: date | None = None
    refused: frozenset[str] = frozenset()
    requests: int = 0
    incomplete: int = 0


class IngestFollowUp(Protocol):
    """Told after every listing the catalog read: the seam for work that should start at once."""

    async def after_ingest(self, report: IngestReport) -> None:
        """Called outside the catalog's lock; return quickly (start long work as a task)."""
        ...


class NoFollowUp:
    """The default follow-up: nothing."""

    async def after_ingest(self, report: IngestReport) -> None:
        """Do nothing."""


class FollowUps:
    """Several follow-ups on one seam, each told in turn (each starts its own background work)."""

    def __init__(self, follow_ups: Sequence[IngestFollowUp]) -> None:
        self._follow_ups = tuple(follow_ups)

    async def after_ingest(self, report: IngestReport) -> None:
        """Tell each follow-up."""
        for follow_up in self._follow_ups:
            await follow_up.after_ingest(report)


class MeaningAtIngest:
    """Each paper's vector, computed once as its listing comes in, in the background: the digests
    and every channel's model then find it ready (`Relevance.embed_ahead`)."""

    def __init__(self, relevance: Relevance) -> None:
        self._relevance = relevance
        self._task: asyncio.Task[None] | None = None
        self._pending: dict[str, None] = {}  # ids told while a run is going, in order

    async def after_ingest(self, report: IngestReport) -> None:
        """Embed the listing's papers (after the run in progress, if any) unless arXiv skipped the day."""
        if report.skipped or not report.ids:
            return
        self._pending.update(dict.fromkeys(report.ids))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._embed(), name="embed-at-ingest")

    async def _embed(self) -> None:
        while self._pending:
            ids, self._pending = list(self._pending), {}
            try:
                await self._relevance.embed_ahead(ids)
            except Exception:
                log.exception("embedding the new listing failed; the digests embed what they need")

    async def stop(self) -> None:
        """Cancel the embedding in progress (the digests embed what they need)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class ListingNotTurned(SourceUnavailable):
    """arXiv's feed still shows an earlier day than arXiv's today: a digest should wait a little."""

    def __init__(self, expected: date, shown: date | None) -> None:
        still = f" (it still shows {shown:%a %d %b})" if shown else ""
        super().__init__(f"arXiv's listing for {expected:%a %d %b} is not out yet{still}")
