"""A fake arXiv (API and RSS) on 127.0.0.1, for tests and for running the bot against locally.

    with FakeArxiv() as fake:
        source = ArxivSource(fake.api_url, fake.rss_url, ...)

The RSS listing follows arXiv's feed server (rules and evidence in `tests/fakes/arxiv_listing.py`):
HTTP 400 for the whole request when one part of `a+b` is unknown, at most 2,000 items with new
papers cut first, and, given a clock, a listing that turns at midnight US Eastern. The API can lag
the listing: arXiv's API learns of a day's new papers up to a day after the feed names them
(/work/shared/FIELD-NOTES.md, "arXiv feeds"), so ids in `api_lacks` are listed but not found.

Full texts live under `/html/<versioned id>` and `/pdf/<versioned id>`, as on export.arxiv.org,
the host arXiv asks programs to use (arxiv.org's robots.txt asks crawlers for `Crawl-delay: 15`).
Every request is recorded with its arrival time and headers (the `arxiv` library sends its own
`user-agent: arxiv.py/<version>` with each request, arxiv 4.0.2's `Client.__try_parse_feed`, so
a test can see whose name reached arXiv). A full text may be a `StreamedBody`
(`hostile_bodies.py`): huge, trickling or stalling, counting what it managed to send.

Standalone: `python -m tests.fakes.arxiv_server --port 8765 --papers seed` prints its base URL.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

from bot.domain.paper import Paper
from tests.fakes import arxiv_listing as feed
from tests.fakes import arxiv_wire as wire
from tests.fakes.arxiv_papers import default_papers
from tests.fakes.clock import FakeClock
from tests.fakes.hostile_bodies import StreamedBody
from tests.fakes.threaded_http import ThreadedHttpFake, serve_until_stopped
from tests.fixtures.seed_papers import SEED_ANNOUNCED

_VERSIONED = re.compile(r"(?P<id>.+?)(?:v(?P<version>\d+))?")


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the fake saw."""

    path: str
    query: dict[str, str]
    time: float
    headers: dict[str, str] = dataclasses.field(default_factory=dict)  # names in lower case


@dataclass(frozen=True, slots=True)
class Redirect:
    """A full text that lives elsewhere: answered `301 Moved Permanently` with this Location."""

    location: str


@dataclass(frozen=True, slots=True)
class _Fault:
    kind: str  # "fail", "empty", "stall" or "body"
    status: int = 503
    seconds: float = 0.0
    path: str = ""  # only requests whose path starts with this
    body: StreamedBody | None = None  # "body": this answer instead (huge, trickling: hostile_bodies.py)


class FakeArxiv(ThreadedHttpFake):
    """arXiv's API and RSS listing, served from memory, with faults to order."""

    thread_name = "fake-arxiv"

    def __init__(
        self, papers: Iterable[tuple[Paper, str | None]] | None = None, *, clock: FakeClock | None = None
    ) -> None:
        super().__init__()
        # Without a clock the listing is always `listing_day`'s; with one, the Eastern date of its now.
        self.clock = clock
        self.listing_day: date = SEED_ANNOUNCED
        self.weekend = False
        self.max_items = feed.FEED_ITEM_LIMIT
        # Classes arXiv has dropped since a channel subscribed (retired, renamed): answered with 400.
        self.retired: set[str] = set()
        # Categories whose feed still shows the previous announcement day (same lastBuildDate).
        self.behind: set[str] = set()
        # Ids the listing names that the API does not know yet.
        self.api_lacks: set[str] = set()
        # Paper id -> author -> affiliation, printed in `dc:creator` as "A. One (MIT)".
        self.affiliations: dict[str, dict[str, str]] = {}
        self._dated: dict[date, dict[str, tuple[Paper, str]]] = {}
        self.latency = 0.0
        self.max_in_flight = 0
        self._papers: dict[str, tuple[Paper, str | None]] = {}
        self._faults: deque[_Fault] = deque()
        self._requests: list[RecordedRequest] = []
        self._in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        # Full texts by versioned id: `/html/<id>` and `/pdf/<id>` (404 for the others); a
        # `StreamedBody` (hostile_bodies.py) is written as it is generated, as slowly as it says.
        self.html: dict[str, str | StreamedBody | Redirect] = {}
        self.pdfs: dict[str, bytes | StreamedBody | Redirect] = {}
        for paper, announce_type in default_papers() if papers is None else papers:
            self.add_paper(paper, announce_type)

    # Lifecycle

    def _release_waiters(self) -> None:
        """Release any stalled responses."""
        self._stopping.set()

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        """Answers GETs from `respond`."""
        return _handler_for(self)

    @property
    def api_url(self) -> str:
        """Where `arxiv_api_url` should point."""
        return f"{self.url}/api/query"

    @property
    def rss_url(self) -> str:
        """Where `arxiv_rss_url` should point."""
        return f"{self.url}/rss"

    @property
    def html_url(self) -> str:
        """Where `arxiv_html_url` should point (`{id}` is the versioned id)."""
        return f"{self.url}/html/{{id}}"

    @property
    def pdf_url(self) -> str:
        """Where `arxiv_pdf_url` should point (`{id}` is the versioned id)."""
        return f"{self.url}/pdf/{{id}}"

    # Papers

    def add_paper(self, paper: Paper, announce_type: str | None = "new", *, day: date | None = None) -> None:
        """Serve this paper; listed on every day's listing, or only on `day`'s; None: not listed."""
        with self._lock:
            if day is None:
                self._papers[paper.arxiv_id] = (paper, announce_type)
                return
            self._papers[paper.arxiv_id] = (paper, None)
            if announce_type is not None:
                self._dated.setdefault(day, {})[paper.arxiv_id] = (paper, announce_type)

    def set_papers(self, papers: Iterable[Paper], announce_type: str | None = "new") -> None:
        """Serve exactly these papers."""
        with self._lock:
            self._papers = {p.arxiv_id: (p, announce_type) for p in papers}
            self._dated = {}

    def current_day(self) -> date:
        """The announcement day the listing shows now: it turns at midnight US Eastern."""
        if self.clock is None:
            return self.listing_day
        return self.clock.now().astimezone(wire.ARXIV_TZ).date()

    @property
    def papers(self) -> list[Paper]:
        """Everything the fake knows."""
        with self._lock:
            return [paper for paper, _ in self._papers.values()]

    # Faults and observation

    def fail_next(self, n: int = 1, status: int = 503, path: str = "") -> None:
        """Answer the next n requests (under `path`) with this status, without Retry-After."""
        self._add_faults(n, _Fault("fail", status=status, path=path))

    def empty_next(self, n: int = 1, path: str = "") -> None:
        """Answer the next n requests (under `path`) with a valid but empty feed."""
        self._add_faults(n, _Fault("empty", path=path))

    def stall_next(self, n: int = 1, seconds: float = 5.0, path: str = "") -> None:
        """Sleep this long before answering each of the next n requests (under `path`)."""
        self._add_faults(n, _Fault("stall", seconds=seconds, path=path))

    def serve_next(self, body: StreamedBody, path: str) -> None:
        """Answer the next request under `path` (`/rss`, `/api/query`) with this streamed body."""
        self._add_faults(1, _Fault("body", path=path, body=body))

    def _add_faults(self, n: int, fault: _Fault) -> None:
        with self._lock:
            self._faults.extend([fault] * n)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, prefix: str) -> list[RecordedRequest]:
        """Requests whose path starts with `prefix` (`/api/query`, `/rss`)."""
        return [r for r in self.requests if r.path.startswith(prefix)]

    # Serving

    def _begin(self, path: str, query: dict[str, str], headers: dict[str, str]) -> _Fault | None:
        with self._lock:
            self._requests.append(RecordedRequest(path, query, time.monotonic(), headers))
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            fault = next((f for f in self._faults if path.startswith(f.path)), None)
            if fault is not None:
                self._faults.remove(fault)
            return fault

    def _end(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def respond(
        self, path: str, query: dict[str, str], headers: dict[str, str] | None = None
    ) -> tuple[int, str, str | bytes | StreamedBody | Redirect]:
        """Status, content type and body for one request."""
        fault = self._begin(path, query, {k.lower(): v for k, v in (headers or {}).items()})
        try:
            if fault is not None and fault.kind == "stall":
                self._stopping.wait(fault.seconds)
            elif self.latency:
                self._stopping.wait(self.latency)
            if fault is not None and fault.kind == "fail":
                return fault.status, "text/html", f"<h1>Error {fault.status}</h1>\n"
            if fault is not None and fault.body is not None:
                return 200, fault.body.content_type, fault.body
            empty = fault is not None and fault.kind == "empty"
            if path == "/api/query":
                return self._api(query, empty)
            if path.startswith("/rss/"):
                return self._rss(unquote(path.removeprefix("/rss/")).split("+"), empty)
            if path.startswith(("/html/", "/pdf/")):
                return self._full_text(path)
            return 404, "text/plain", "not found\n"
        finally:
            # Before the response is written, so a client that waits for it never overlaps.
            self._end()

    def _api(self, query: dict[str, str], empty: bool) -> tuple[int, str, str]:
        raw_query = "&".join(f"{k}={v}" for k, v in query.items())
        ids = [i.strip() for i in query.get("id_list", "").split(",") if i.strip()]
        start = int(query.get("start", "0") or 0)
        per_page = int(query.get("max_results", "10") or 10)
        bad = next((i for i in ids if not wire.valid_id(i)), None)
        if bad is not None:
            error = wire.atom_error(f"incorrect id format for {bad}", query=raw_query)
            return 400, "application/atom+xml", error
        try:
            found = [] if empty else self._find(ids, query)
        except wire.QueryError as error:
            return 400, "application/atom+xml", wire.atom_error(str(error), query=raw_query)
        page = found[start : start + per_page]
        feed = wire.atom_feed(page, query=raw_query, total=len(found), start=start, per_page=len(page))
        return 200, "application/atom+xml; charset=UTF-8", feed

    def _find(self, ids: list[str], query: dict[str, str]) -> list[Paper]:
        with self._lock:
            known = {k: v for k, v in self._papers.items() if k not in self.api_lacks}
        search = query.get("search_query", "").strip()
        if ids:
            found = [p for p in (_at_version(known, i) for i in ids) if p is not None]
            return [p for p in found if wire.matches(search, p)] if search else found
        if not search:
            return []
        found = [p for p, _ in known.values() if wire.matches(search, p)]
        sort_by = query.get("sortBy", "relevance")
        if sort_by in ("submittedDate", "lastUpdatedDate"):
            attribute = "published" if sort_by == "submittedDate" else "updated"
            descending = query.get("sortOrder", "descending") == "descending"
            found.sort(key=lambda p: getattr(p, attribute), reverse=descending)
        return found

    def _rss(self, categories: list[str], empty: bool) -> tuple[int, str, str]:
        today = self.current_day()
        try:
            feed.validate(categories, self.retired)
        except feed.BadFeedRequest as error:
            return 400, "application/rss+xml", wire.rss_error("+".join(categories), str(error), today)
        stale = any(feed.asks_for(categories, c) for c in self.behind)
        day = feed.previous_announcement_day(today) if stale else today
        announced: list[tuple[Paper, str]] = []
        if self.weekend:
            day += timedelta(days=(5 - day.weekday()) % 7)  # the next Saturday
        elif not empty and not (self.clock is not None and day.weekday() >= feed.SATURDAY):
            announced = self._announced_on(day, undated=not stale)
        items = feed.select(announced, categories, self.max_items)
        built = self.clock.now() if self.clock is not None else datetime.now(UTC)
        body = wire.rss_feed(categories, items, day, built=built, affiliations=self.affiliations)
        return 200, "application/rss+xml; charset=utf-8", body

    def _announced_on(self, day: date, *, undated: bool) -> list[tuple[Paper, str]]:
        with self._lock:
            found = dict(self._dated.get(day, {}))
            if undated:
                for arxiv_id, (paper, action) in self._papers.items():
                    if action is not None:
                        found.setdefault(arxiv_id, (paper, action))
        return list(found.values())

    def _full_text(self, path: str) -> tuple[int, str, str | bytes | StreamedBody | Redirect]:
        kind, _, versioned_id = path.strip("/").partition("/")
        if kind == "html" and versioned_id in self.html:
            return 200, "text/html; charset=utf-8", self.html[versioned_id]
        if kind == "pdf" and versioned_id in self.pdfs:
            return 200, "application/pdf", self.pdfs[versioned_id]
        return 404, "text/html", f"<h1>No {kind.upper()} for {versioned_id}</h1>\n"


def _at_version(known: dict[str, tuple[Paper, str | None]], raw_id: str) -> Paper | None:
    match = _VERSIONED.fullmatch(raw_id)
    assert match is not None
    # `math.GT/0309136` is filed under `math/0309136`.
    entry = known.get(re.sub(r"^([a-z-]+)\.[A-Z]{2}/", r"\1/", match["id"]))
    if entry is None:
        return None
    paper, version = entry[0], int(match["version"] or entry[0].version)
    if version > paper.version:
        return None
    return dataclasses.replace(paper, version=version)


def _handler_for(fake: FakeArxiv) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10  # idle keep-alive connections close after this

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            status, content_type, body = fake.respond(parts.path, query, dict(self.headers.items()))
            if isinstance(body, StreamedBody):
                self._stream(status, body)
                return
            if isinstance(body, Redirect):
                self.send_response(301)
                self.send_header("Location", body.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = body.encode("utf-8") if isinstance(body, str) else body
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (e.g. its timeout)

        def _stream(self, status: int, body: StreamedBody) -> None:
            """Write a generated body chunk by chunk, counting what the client accepted."""
            self.close_connection = True
            body.started.set()
            head = [f"HTTP/1.1 {status} OK", f"Content-Type: {body.content_type}", "Connection: close"]
            if body.length is not None:
                head.append(f"Content-Length: {body.length}")
            try:
                if body.header_every:
                    self.wfile.write(head[0].encode() + b"\r\n")
                    for byte in "\r\n".join(head[1:]).encode():
                        if fake._stopping.wait(body.header_every):
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    self.wfile.write(b"\r\n\r\n")
                else:
                    self.wfile.write("\r\n".join([*head, "", ""]).encode())
                for n, chunk in enumerate(body.chunks()):
                    if n and body.every and fake._stopping.wait(body.every):
                        return
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    body.sent(chunk)
            except (BrokenPipeError, ConnectionResetError):
                body.client_gone.set()
            finally:
                body.finished.set()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def main(argv: list[str] | None = None) -> None:
    """Run the fake until interrupted, printing its base URL first."""
    parser = argparse.ArgumentParser(description="Serve a fake arXiv API and RSS listing.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--papers", choices=["seed", "none"], default="seed")
    parser.add_argument("--weekend", action="store_true", help="serve an empty weekend listing")
    args = parser.parse_args(argv)
    fake = FakeArxiv(None if args.papers == "seed" else [])
    fake.weekend = args.weekend
    serve_until_stopped(fake, args.port, lambda: fake.url)


if __name__ == "__main__":
    main()
