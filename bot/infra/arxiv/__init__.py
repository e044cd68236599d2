"""arXiv: the API (via the `arxiv` library) and the daily RSS listing, behind one gate."""

from bot.infra.arxiv.feed import Listing, ListingEntry, ListingUnreadable, parse_listing
from bot.infra.arxiv.gate import Clock, GateUnavailable, Priority, RequestGate, SystemClock, listing_priority
from bot.infra.arxiv.retries import ArxivError, ArxivRejected, ArxivUnavailable
from bot.infra.arxiv.source import ArxivSource, paper_from_result, strip_version

__all__ = [
    "ArxivError",
    "ArxivRejected",
    "ArxivSource",
    "ArxivUnavailable",
    "Clock",
    "GateUnavailable",
    "Listing",
    "ListingEntry",
    "ListingUnreadable",
    "Priority",
    "RequestGate",
    "SystemClock",
    "listing_priority",
    "paper_from_result",
    "parse_listing",
    "strip_version",
]
