"""What an ingest of arXiv's listing reports, and the one seam told after each: `after_ingest`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.ports import SourceUnavailable


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


class ListingNotTurned(SourceUnavailable):
    """arXiv's feed still shows an earlier day than arXiv's today: a digest should wait a little."""

    def __init__(self, expected: date, shown: date | None) -> None:
        still = f" (it still shows {shown:%a %d %b})" if shown else ""
        super().__init__(f"arXiv's listing for {expected:%a %d %b} is not out yet{still}")
