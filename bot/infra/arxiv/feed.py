"""arXiv's daily RSS listing, parsed into ids and announce types."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import feedparser

# arXiv announces on US Eastern days; its feed dates are midnight Eastern.
ARXIV_TZ = ZoneInfo("America/New_York")

_GUID = re.compile(r"oai:arXiv\.org:(?P<id>.+?)v(?P<version>\d+)$", re.IGNORECASE)
_DESCRIPTION_ID = re.compile(r"arXiv:(?P<id>\S+?)v(?P<version>\d+)\b")


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One line of a daily listing: which paper, which version, and why it is listed."""

    arxiv_id: str
    version: int
    announce_type: str
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Listing:
    """A day's announcements for some categories; `skipped` on arXiv's days off."""

    day: date | None
    entries: tuple[ListingEntry, ...]
    skipped: bool = False

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


class ListingUnreadable(ValueError):
    """The answer was not an RSS feed at all (an HTML error page served with 200, say)."""


def parse_listing(content: bytes, today: date | None = None) -> Listing:
    """Turn the bytes of an arXiv RSS feed into a `Listing`."""
    parsed = feedparser.parse(content)
    if not parsed.get("version"):
        raise ListingUnreadable("not an RSS feed")
    day = _feed_day(parsed.feed)
    entries = tuple(e for e in (_entry(item) for item in parsed.entries) if e is not None)
    weekday_of = day or today or datetime.now(ARXIV_TZ).date()
    skipped = not entries and weekday_of.strftime("%A") in _skip_days(content)
    return Listing(day=day, entries=entries, skipped=skipped)


def _feed_day(feed: Any) -> date | None:
    for key in ("published", "updated"):
        raw = feed.get(key)
        if raw:
            try:
                return parsedate_to_datetime(raw).astimezone(ARXIV_TZ).date()
            except (TypeError, ValueError):
                continue
    return None


def _entry(item: Any) -> ListingEntry | None:
    match = _GUID.match(item.get("id", "")) or _DESCRIPTION_ID.search(item.get("summary", ""))
    if match is None:
        return None
    announce_type = item.get("arxiv_announce_type") or _description_type(item.get("summary", ""))
    categories = tuple(tag["term"] for tag in item.get("tags", []) if tag.get("term"))
    return ListingEntry(
        arxiv_id=match["id"],
        version=int(match["version"]),
        announce_type=announce_type.strip().lower(),
        categories=categories,
    )


def _description_type(description: str) -> str:
    match = re.search(r"Announce Type:\s*(\S+)", description)
    return match.group(1) if match else "new"


def _skip_days(content: bytes) -> set[str]:
    # feedparser keeps only the last <day> of <skipDays>, so read them ourselves.
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return set()
    return {(day.text or "").strip() for day in root.iterfind("./channel/skipDays/day")}
