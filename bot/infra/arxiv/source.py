"""Papers from arXiv: id look-ups, searches and the daily listing, gated and retried."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

import arxiv
import requests

from bot.domain.listing import Listing
from bot.domain.paper import Paper
from bot.infra.arxiv.feed import parse_listing, refusal_reason, sketch_full_listing
from bot.infra.arxiv.gate import Clock, RequestGate, listing_priority
from bot.infra.arxiv.listing_parts import FEED_ITEM_LIMIT, ListingRefused, read_in_parts
from bot.infra.arxiv.retries import EmptyAnswer, call_with_retries
from bot.infra.arxiv.transport import arxiv_client, check_arxiv_library, gated_session

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

# A day's listing of 3,000 papers is 6 look-ups (arXiv answers up to 2,000 results a request);
# 500 ids keep the GET URL near 6 KB, under the 8 KB many proxies accept.
MAX_IDS_PER_REQUEST = 500

_VERSION = re.compile(r"v\d+$")
_SHORT_ID = re.compile(r"^(?P<id>.+?)(?:v(?P<version>\d+))?$")


def strip_version(arxiv_id: str) -> str:
    """`2602.10905v2` -> `2602.10905`; arXiv look-ups want the latest version."""
    return _VERSION.sub("", arxiv_id.strip())


def paper_from_result(result: arxiv.Result) -> Paper:
    """Translate the arxiv library's `Result` into our `Paper`."""
    match = _SHORT_ID.match(result.get_short_id())
    assert match is not None  # the pattern matches any string
    return Paper(
        arxiv_id=match["id"],
        version=int(match["version"] or 1),
        title=" ".join(result.title.split()),
        authors=tuple(author.name for author in result.authors),
        abstract=" ".join(result.summary.split()),
        categories=tuple(result.categories),
        primary_category=result.primary_category,
        published=result.published,
        updated=result.updated,
        comment=_optional(result.comment),
        journal_ref=_optional(result.journal_ref),
        doi=_optional(result.doi),
    )


def _optional(text: str | None) -> str | None:
    collapsed = " ".join((text or "").split())
    return collapsed or None


class ArxivSource:
    """The paper source the services use; every blocking call runs in a worker thread."""

    def __init__(
        self,
        api_url: str,
        rss_url: str,
        *,
        gate: RequestGate,
        timeout: float,
        retries: int,
        clock: Clock | None = None,
        page_size: int = 100,
        listing_cap: int = FEED_ITEM_LIMIT,
    ) -> None:
        self.api_url = api_url
        self.rss_url = rss_url.rstrip("/")
        self.gate = gate
        self.tries = retries + 1
        self.page_size = page_size
        # A listing answer this long was cut by arXiv: its categories are read in parts.
        self.listing_cap = listing_cap
        self._clock = clock or gate.clock
        check_arxiv_library()
        self._session = gated_session(gate, timeout)
        self._api_path = urlsplit(api_url).path
        self._owns_gate = False

    @classmethod
    def from_settings(cls, settings: Settings, gate: RequestGate | None = None) -> ArxivSource:
        """Build from configuration, with the deployment's gate (shared through the database) by default."""
        from bot.infra.arxiv.shared_gate import gate_for_database

        source = cls(
            settings.arxiv_api_url,
            settings.arxiv_rss_url,
            gate=gate or gate_for_database(settings.resolved_database_url, settings.arxiv_min_interval),
            timeout=settings.arxiv_timeout,
            retries=settings.arxiv_retries,
        )
        source._owns_gate = gate is None
        return source

    def close(self) -> None:
        """Release pooled connections (and the gate's lock, if this source made the gate)."""
        self._session.close()
        if self._owns_gate:
            self.gate.close()

    async def fetch_papers(self, ids: Sequence[str]) -> list[Paper]:
        """Latest metadata for these ids, in their order; unknown ids are simply missing."""
        wanted = list(dict.fromkeys(strip_version(i) for i in ids if i.strip()))
        return await asyncio.to_thread(self._lookup, wanted, empty_ok=True)

    async def search(self, query: str, max_results: int = 20) -> list[Paper]:
        """Papers matching an arXiv API query (`ti:bilevel AND cat:math.OC`), newest first."""
        found = arxiv.Search(
            query=query,
            max_results=max_results,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        page_size = max(1, min(max_results, self.page_size))
        results = await asyncio.to_thread(
            self._retrying, lambda: self._results(found, page_size), self._api_path, "search"
        )
        return [paper_from_result(r) for r in results]

    async def fetch_listing(self, categories: Sequence[str]) -> Listing:
        """Today's RSS listing for the union of these categories: one request on a normal day.

        Categories arXiv refuses (HTTP 400) are found and left out (`refused`); an answer cut at
        arXiv's cap is read again in parts, so no new paper is lost to the cut.
        """
        if not categories:
            raise ValueError("fetch_listing needs at least one category")
        with listing_priority():
            return await asyncio.to_thread(read_in_parts, self._read_part, list(categories), self.listing_cap)

    async def fetch_new_papers(
        self, categories: Sequence[str], announce_types: tuple[str, ...] = ("new", "cross")
    ) -> tuple[Listing, list[Paper]]:
        """The day's listing and its papers of these announce types: the API's metadata where
        arXiv's API has them, else the paper as the listing describes it (`complete=False`)."""
        listing = await self.fetch_listing(categories)
        ids = listing.ids(announce_types)
        fetched = {p.arxiv_id: p for p in await self.fetch_listed_papers(ids, listing.day)}
        papers = [fetched.get(i) or _listed_paper(listing, i) for i in ids]
        return listing, [p for p in papers if p is not None]

    async def fetch_listed_papers(self, ids: Sequence[str], day: date | None) -> list[Paper]:
        """arXiv's metadata of papers a listing named, those the API knows yet.

        The API learns of a day's papers up to a day after the feed lists them, so a batch it does
        not know is tried once more (it may be arXiv's sporadic empty page) and then left out.
        """
        if not ids:
            return []
        with listing_priority():
            papers = await asyncio.to_thread(self._lookup, list(ids), empty_ok=True)
        return [dataclasses.replace(p, announced=day) for p in papers]

    def _lookup(self, ids: list[str], *, empty_ok: bool) -> list[Paper]:
        papers: list[Paper] = []
        for start in range(0, len(ids), MAX_IDS_PER_REQUEST):
            batch = ids[start : start + MAX_IDS_PER_REQUEST]
            what = f"look-up of {', '.join(batch[:3])}{', ...' if len(batch) > 3 else ''}"
            try:
                results = self._retrying(
                    partial(self._id_batch, batch), self._api_path, what, empty_ok=empty_ok
                )
            except EmptyAnswer:
                log.info("arXiv knows none of %d ids (%s)", len(batch), what)
                continue
            papers.extend(paper_from_result(r) for r in results)
        order = {arxiv_id: n for n, arxiv_id in enumerate(ids)}
        return sorted(papers, key=lambda p: order.get(p.arxiv_id, len(order)))

    def _id_batch(self, batch: list[str]) -> list[arxiv.Result]:
        results = self._results(arxiv.Search(id_list=batch, max_results=len(batch)), len(batch))
        if not results:
            raise EmptyAnswer
        return results

    def _results(self, search: arxiv.Search, page_size: int) -> list[arxiv.Result]:
        return list(arxiv_client(self._session, self.api_url, page_size).results(search))

    def _read_part(self, categories: list[str]) -> Listing:
        """One listing request, retried while arXiv is only unwell; ListingRefused on a 400."""
        url = f"{self.rss_url}/{'+'.join(categories)}"
        # A full answer for several categories is read again in parts: a sketch of it will do.
        sketch = len(categories) > 1
        listing = self._retrying(lambda: self._listing_at(url, sketch), urlsplit(url).path, "listing request")
        return dataclasses.replace(listing, full=len(listing.entries) >= self.listing_cap)

    def _listing_at(self, url: str, may_sketch: bool) -> Listing:
        response = self._session.get(url)
        if response.status_code == requests.codes.bad_request:
            raise ListingRefused(refusal_reason(response.content))
        if response.status_code != requests.codes.ok:
            raise arxiv.HTTPError(url, 0, response.status_code)
        if may_sketch and (sketch := sketch_full_listing(response.content, self.listing_cap)):
            return sketch
        return parse_listing(response.content)

    def _retrying(self, call: Callable[[], T], path: str, what: str, *, empty_ok: bool = False) -> T:
        """Run `call`, retrying transient failures with backoff on our clock."""
        return call_with_retries(call, self.tries, self._clock.sleep, path, what, empty_ok=empty_ok)


def _listed_paper(listing: Listing, arxiv_id: str) -> Paper | None:
    entry = listing.entry(arxiv_id)
    return entry.paper if entry is not None else None
