"""arXiv's daily RSS listing, parsed into ids, announce types and the papers as the feed gives them."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, time
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser

from bot.domain.arxiv_day import ARXIV_TZ
from bot.domain.listing import Listing, ListingEntry
from bot.domain.paper import Paper

__all__ = ["ARXIV_TZ", "Listing", "ListingEntry", "ListingUnreadable", "parse_listing", "split_creators"]

_GUID = re.compile(r"oai:arXiv\.org:(?P<id>.+?)v(?P<version>\d+)$", re.IGNORECASE)
_DESCRIPTION_ID = re.compile(r"arXiv:(?P<id>\S+?)v(?P<version>\d+)\b")
_ABSTRACT = re.compile(r"\bAbstract:\s*(?P<text>.*)\Z", re.DOTALL)


class ListingUnreadable(ValueError):
    """The answer was not an RSS feed at all (an HTML error page served with 200, say)."""


def parse_listing(content: bytes, today: date | None = None) -> Listing:
    """Turn the bytes of an arXiv RSS feed into a `Listing`."""
    parsed = feedparser.parse(content)
    if not parsed.get("version"):
        raise ListingUnreadable("not an RSS feed")
    day = _feed_day(parsed.feed)
    entries = tuple(e for e in (_entry(item, day) for item in parsed.entries) if e is not None)
    weekday_of = day or today or datetime.now(ARXIV_TZ).date()
    skipped = not entries and weekday_of.strftime("%A") in _skip_days(content)
    return Listing(day=day, entries=entries, skipped=skipped)


def _feed_day(feed: Any) -> date | None:
    # `pubDate` is the listing's Eastern midnight. Not `lastBuildDate`: that is when the feed was
    # serialised, the same for a feed that turned and one that still shows yesterday.
    raw = feed.get("published")
    try:
        return parsedate_to_datetime(raw).astimezone(ARXIV_TZ).date() if raw else None
    except (TypeError, ValueError):
        return None


def _entry(item: Any, day: date | None) -> ListingEntry | None:
    match = _GUID.match(item.get("id", "")) or _DESCRIPTION_ID.search(item.get("summary", ""))
    if match is None:
        return None
    announce_type = item.get("arxiv_announce_type") or _description_type(item.get("summary", ""))
    categories = tuple(tag["term"] for tag in item.get("tags", []) if tag.get("term"))
    arxiv_id, version = match["id"], int(match["version"])
    return ListingEntry(
        arxiv_id=arxiv_id,
        version=version,
        announce_type=announce_type.strip().lower(),
        categories=categories,
        paper=_paper(item, arxiv_id, version, categories, day),
        day=day,
    )


def _paper(
    item: Any, arxiv_id: str, version: int, categories: tuple[str, ...], day: date | None
) -> Paper | None:
    """The paper as the item describes it; None when the item lacks a title or an abstract."""
    title = " ".join(str(item.get("title", "")).split())
    found = _ABSTRACT.search(item.get("summary", ""))
    # feedparser sanitises the description as HTML (`<` arrives as `&lt;`): give back the text.
    abstract = " ".join(html.unescape(found["text"]).split()) if found else ""
    if not title or not abstract or not categories:
        return None
    # arXiv's feed dates items at the listing's midnight; the submission time is the API's to say.
    moment = datetime.combine(day, time(0), tzinfo=ARXIV_TZ) if day else datetime.now(ARXIV_TZ)
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        authors=split_creators(str(item.get("author", ""))),
        abstract=abstract,
        categories=categories,
        primary_category=categories[0],
        published=moment,
        updated=moment,
        journal_ref=_text(item.get("arxiv_journal_reference")),
        doi=_text(item.get("arxiv_doi")),
        announced=day,
        complete=False,
    )


def _text(value: object) -> str | None:
    folded = " ".join(str(value or "").split())
    return folded or None


def split_creators(creators: str) -> tuple[str, ...]:
    """Authors from `dc:creator`, affiliations dropped: `A. One (MIT, CNRS), B. Two` -> both names.

    arxiv-feed writes every author as `name (affiliation, ...)`, joined by commas, so commas inside
    parentheses are not separators and the parentheses are not part of the name `au:` matches.
    """
    names: list[str] = []
    depth, current = 0, list[str]()
    for char in creators:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            names.append("".join(current))
            current = []
        elif depth == 0:
            current.append(char)
    names.append("".join(current))
    return tuple(name for name in (" ".join(n.split()) for n in names) if name)


def _description_type(description: str) -> str:
    match = re.search(r"Announce Type:\s*(\S+)", description)
    return match.group(1) if match else "new"


def sketch_full_listing(content: bytes, cap: int) -> Listing | None:
    """A full answer for several categories, sketched: it is only read for its size and for how its
    items spread over the categories, since it will be read again in parts. The standard XML
    parser does this in a fraction of feedparser's time; None when the answer is not full."""
    if content.count(b"<item>") < cap:
        return None
    try:
        items = ET.fromstring(content).iterfind("./channel/item")
    except ET.ParseError:
        return None
    entries = []
    for item in items:
        match = _GUID.match((item.findtext("guid") or "").strip())
        if match is not None:
            categories = tuple((c.text or "").strip() for c in item.iterfind("category"))
            entries.append(ListingEntry(match["id"], int(match["version"]), "", categories))
    return Listing(day=None, entries=tuple(entries), full=True)


def refusal_reason(content: bytes) -> str:
    """What arXiv's feed server says in the RSS document it sends with a 400 (its description)."""
    parsed = feedparser.parse(content)
    text = " ".join(str(parsed.feed.get("description") or parsed.feed.get("title") or "").split())
    return text[:300] or "no reason given"


def _skip_days(content: bytes) -> set[str]:
    # feedparser keeps only the last <day> of <skipDays>, so read them ourselves.
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return set()
    return {(day.text or "").strip() for day in root.iterfind("./channel/skipDays/day")}
