"""arXiv's daily listing as plain values: which papers a day announced, and how it was read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from bot.domain.paper import Paper

# When parts of a listing name one paper differently, the union lists it as the first of these.
ANNOUNCE_PRIORITY = ("new", "cross", "replace", "replace-cross")


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One line of a daily listing: which paper, which version, and why it is listed.

    `paper` is the paper as the listing itself describes it (incomplete: no submission date or
    comment), for when arXiv's API does not know it yet; `day` is the listing day it came from.
    """

    arxiv_id: str
    version: int
    announce_type: str
    categories: tuple[str, ...]
    paper: Paper | None = field(default=None, compare=False, repr=False)
    day: date | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Listing:
    """A day's announcements for some categories, read in one request or in several parts.

    `day` is the newest day a part showed and `earliest_day` the oldest (they differ when one
    part's feed had not turned yet); `skipped` on arXiv's days off; `refused` names categories
    arXiv answered 400 for, with its reason; `requests` counts the listing requests made.
    """

    day: date | None
    entries: tuple[ListingEntry, ...]
    skipped: bool = False
    full: bool = False
    earliest_day: date | None = None
    refused: Mapping[str, str] = field(default_factory=dict, compare=False)
    requests: int = 1

    def ids(self, announce_types: tuple[str, ...] = ("new", "cross")) -> list[str]:
        """Version-free ids of the entries of these announce types, in listing order."""
        seen: dict[str, None] = {}
        for entry in self.entries:
            if entry.announce_type in announce_types:
                seen.setdefault(entry.arxiv_id, None)
        return list(seen)

    def versions(self) -> dict[str, int]:
        """The newest version the listing names for each id."""
        found: dict[str, int] = {}
        for entry in self.entries:
            found[entry.arxiv_id] = max(entry.version, found.get(entry.arxiv_id, 0))
        return found

    def entry(self, arxiv_id: str) -> ListingEntry | None:
        """The entry naming this id, if any."""
        return next((e for e in self.entries if e.arxiv_id == arxiv_id), None)

    @property
    def oldest(self) -> date | None:
        """The oldest listing day among the parts read."""
        return self.earliest_day or self.day


def merge_parts(parts: Sequence[Listing], refused: Mapping[str, str], requests: int) -> Listing:
    """The union of listings read part by part: each paper once, with its strongest announce type."""
    chosen: dict[str, ListingEntry] = {}
    for part in parts:
        for entry in part.entries:
            held = chosen.get(entry.arxiv_id)
            if held is None or _rank(entry) < _rank(held):
                chosen[entry.arxiv_id] = entry
            elif _rank(entry) == _rank(held) and entry.version > held.version:
                chosen[entry.arxiv_id] = replace(held, version=entry.version)
    days = [p.day for p in parts if p.day is not None]
    return Listing(
        day=max(days, default=None),
        entries=tuple(chosen.values()),
        skipped=bool(parts) and all(p.skipped for p in parts),
        full=any(p.full for p in parts),
        earliest_day=min(days, default=None),
        refused=dict(refused),
        requests=requests,
    )


def _rank(entry: ListingEntry) -> int:
    kind = entry.announce_type
    return ANNOUNCE_PRIORITY.index(kind) if kind in ANNOUNCE_PRIORITY else len(ANNOUNCE_PRIORITY)
