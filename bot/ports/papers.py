"""What services keep about papers: the papers themselves, listing fetches, listed ids and misses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.domain.paper import Paper


@dataclass(frozen=True, slots=True)
class ListingFetch:
    """One fetch of arXiv's daily listing, so a day is read once, not once per channel."""

    categories: str
    day: date | None
    fetched_at: datetime | None
    paper_count: int
    skipped: bool
    # The oldest day a part of the listing showed: older than `day` while one feed lags another.
    earliest_day: date | None


class PaperStore(Protocol):
    """Papers we fetched, by version-free arXiv id."""

    async def save_papers(self, papers: Iterable[Paper]) -> int:
        """Insert or refresh papers (a newer version replaces an older one); returns how many."""
        ...

    async def stamp_announced(self, ids: Sequence[str], day: date | None) -> None:
        """Mark listed papers as announced on `day` where they carry no announcement day yet."""
        ...

    async def papers(self, ids: Sequence[str]) -> dict[str, Paper]:
        """Stored papers by id (version-free)."""
        ...

    async def paper_fetched_since(self, arxiv_id: str, since: datetime) -> Paper | None:
        """A stored paper if we fetched it recently enough to trust it."""
        ...

    async def papers_announced_after(self, day: date) -> list[Paper]:
        """Papers announced after `day`, newest first: a digest's candidates."""
        ...

    async def latest_announced_day(self) -> date | None:
        """The newest announcement day we hold papers for."""
        ...

    async def catalog_stamp(self) -> tuple[int, datetime | None]:
        """Changes whenever papers are added or refreshed: a cache key for matching results."""
        ...


class ListingLog(Protocol):
    """When the daily listing was fetched, and what the fetch found."""

    async def record_listing(
        self,
        categories: str,
        day: date | None,
        count: int,
        skipped: bool,
        *,
        earliest_day: date | None = None,
    ) -> None:
        """Remember a fetch of the daily listing (`earliest_day`: its oldest part, if one lagged)."""
        ...

    async def last_listing(self) -> ListingFetch | None:
        """The most recent fetch of the daily listing."""
        ...


class ListedPapers(Protocol):
    """Listed ids (to find papers the bot could not see), and categories arXiv refuses."""

    async def record_listed(self, listed: Mapping[date, Sequence[str]]) -> None:
        """Remember which ids each day's listing named; old days are forgotten."""
        ...

    async def unseen(self, since: date) -> dict[str, date]:
        """Ids listed on or after `since` that the bot holds no paper for, with their first day."""
        ...

    async def is_listed(self, arxiv_id: str, since: date) -> bool:
        """Whether a listing of `since` or later named this id."""
        ...

    async def incomplete(self, since: date, limit: int) -> list[str]:
        """Papers announced on or after `since` that only the listing has described so far."""
        ...

    async def refused(self, since: datetime) -> dict[str, str]:
        """Categories arXiv refused since then, with what it said."""
        ...

    async def remember_refused(self, refused: Mapping[str, str], at: datetime) -> None:
        """Note (again) that arXiv refuses these categories."""
        ...


class MissLog(Protocol):
    """Ids arXiv answered with no paper, remembered for `keep` so a repeated one costs no request."""

    keep: timedelta

    @property
    def enabled(self) -> bool:
        """Whether misses are remembered at all."""
        ...

    async def remember(self, ids: Sequence[str], at: datetime) -> None:
        """arXiv had no paper for these ids at `at`; misses older than `keep` are forgotten."""
        ...

    async def remembered(self, ids: Sequence[str], now: datetime) -> dict[str, datetime]:
        """The ids among these that arXiv had no paper for within `keep` of `now`, with when."""
        ...


class PaperArchive(PaperStore, ListingLog, Protocol):
    """Stored papers and listing fetches together: what the paper catalog keeps."""
