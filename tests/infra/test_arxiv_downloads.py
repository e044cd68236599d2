"""Full-text downloads against hostile servers: a byte cap, one deadline, and the gate free afterwards.

Nothing here times the machine: each test asserts what the server managed to send, what the client
kept, and that a server still busy trickling or stalling was left behind at the deadline.
"""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Iterator

import pytest
import requests

from bot.infra.arxiv import RequestGate, SystemClock
from bot.infra.arxiv.download import Download, DownloadTimedOut, download
from bot.infra.arxiv.fulltext import ArxivFullText
from bot.infra.arxiv.transport import USER_AGENT, gated_session
from tests.fakes.arxiv_server import FakeArxiv, Redirect
from tests.fakes.hostile_bodies import huge_body, trickle, trickled_headers
from tests.fakes.pdf import minimal_pdf

PAPER = "2602.10905v1"
CAP = 1_000_000
MB = 1_000_000


@pytest.fixture
def gate() -> RequestGate:
    """The real clock, no spacing: these tests are about one download at a time."""
    return RequestGate(0.0, SystemClock())


@pytest.fixture
def session(gate: RequestGate) -> Iterator[requests.Session]:
    """The full-text session: gated, our User-Agent, a 10 s timeout per read."""
    made = gated_session(gate, 10.0)
    yield made
    made.close()


class Kept:
    """A reader that keeps every byte and never has enough: only the cap and the deadline stop it."""

    def __init__(self) -> None:
        self.data = bytearray()

    def wants(self, content_type: str, length: int | None) -> bool:
        """Any body."""
        return True

    def take(self, chunk: bytes) -> bool:
        """Keep it."""
        self.data += chunk
        return True


def fetch(
    session: requests.Session, gate: RequestGate, url: str, deadline: float = 10.0
) -> tuple[Download, Kept]:
    """One download with a 1 MB cap, and what was read."""
    kept = Kept()
    got = download(session, gate, url, kept, max_bytes=CAP, deadline=deadline, timeout=10.0)
    return got, kept


def full_text(fake: FakeArxiv, gate: RequestGate) -> ArxivFullText:
    """The real full-text source on the fake, with a 1 MB cap."""
    return ArxivFullText(fake.html_url, fake.pdf_url, gate=gate, timeout=10.0, max_bytes=CAP)


def html_url(fake: FakeArxiv) -> str:
    """The paper's HTML address on the fake."""
    return fake.html_url.format(id=PAPER)


def pdf_url(fake: FakeArxiv) -> str:
    """The paper's PDF address on the fake."""
    return fake.pdf_url.format(id=PAPER)


def test_a_300_mb_html_page_is_read_only_to_the_cap(
    fake_arxiv: FakeArxiv, gate: RequestGate, session: requests.Session
) -> None:
    body = fake_arxiv.html[PAPER] = huge_body(300 * MB, "text/html")  # no Content-Length: a liar
    got, kept = fetch(session, gate, html_url(fake_arxiv))
    assert got.bytes_read == len(kept.data) == CAP and not got.complete
    assert kept.data.startswith(b"<!DOCTYPE html>")
    assert body.finished.wait(10) and body.client_gone.is_set()
    # What the kernel buffered before the client hung up, not the 300 MB.
    assert body.bytes_sent < 30 * MB


async def test_a_300_mb_page_is_read_only_until_there_is_enough_text(
    fake_arxiv: FakeArxiv, gate: RequestGate
) -> None:
    body = fake_arxiv.html[PAPER] = huge_body(300 * MB, "text/html", declared=True)
    source = full_text(fake_arxiv, gate)
    tracemalloc.start()
    try:
        got = await source.fetch(PAPER)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        source.close()
    assert got is not None and got.kind == "arXiv HTML" and got.sections[0].heading == "1 Introduction"
    assert 72_000 <= sum(len(s.text) for s in got.sections) < 90_000  # about the 80,000 asked for
    # The text kept (80,000 characters, in pieces) and a few 64 KB chunks, in this process that also
    # runs the fake server; the body was 300 MB, and issue 12 saw 1.85 GB of memory for it.
    assert peak < 3 * MB
    assert body.finished.wait(10) and body.bytes_sent < 30 * MB


async def test_a_400_mb_pdf_that_says_so_is_not_read_at_all(fake_arxiv: FakeArxiv, gate: RequestGate) -> None:
    body = fake_arxiv.pdfs[PAPER] = huge_body(400 * MB, "application/pdf", declared=True)
    source = full_text(fake_arxiv, gate)
    try:
        assert await source.fetch(PAPER) is None  # no HTML, and a PDF over the cap: the abstract it is
    finally:
        source.close()
    assert body.finished.wait(10) and body.chunks_sent <= 1 + 30 * MB // len(next(body.chunks()))
    assert body.bytes_sent < 30 * MB


async def test_a_400_mb_pdf_without_a_length_stops_at_the_cap(
    fake_arxiv: FakeArxiv, gate: RequestGate, session: requests.Session
) -> None:
    body = fake_arxiv.pdfs[PAPER] = huge_body(400 * MB, "application/pdf")
    got, kept = fetch(session, gate, pdf_url(fake_arxiv))
    assert len(kept.data) == CAP and not got.complete and kept.data.startswith(b"%PDF")
    assert body.finished.wait(10) and body.bytes_sent < 30 * MB
    source = full_text(fake_arxiv, gate)
    try:
        fake_arxiv.pdfs[PAPER] = huge_body(400 * MB, "application/pdf")
        assert await source.fetch(PAPER) is None  # a PDF cut at the cap is not parsed
    finally:
        source.close()


def test_a_body_trickling_for_ever_is_cut_at_the_deadline_and_frees_the_gate(
    fake_arxiv: FakeArxiv, gate: RequestGate, session: requests.Session
) -> None:
    # A chunk every 50 ms never trips the 10 s read timeout: only the overall deadline can end it.
    body = fake_arxiv.html[PAPER] = trickle(b"<html><body>", "text/html", every=0.05)
    queued: list[requests.Response] = []

    def waiting_request() -> None:
        # Once the download holds the gate: this request queues behind it.
        assert body.started.wait(10)
        queued.append(session.get(f"{fake_arxiv.rss_url}/cs.LG"))

    behind = threading.Thread(target=waiting_request)
    behind.start()
    with pytest.raises(DownloadTimedOut):
        fetch(session, gate, html_url(fake_arxiv), deadline=0.5)
    behind.join(10)
    assert queued and queued[0].status_code == 200  # the request queued behind went through
    assert body.finished.wait(10) and body.client_gone.is_set()
    assert gate.requests_made == 2 and gate.waiting == 0
    rss = fake_arxiv.requests_to("/rss/")[0]
    html = fake_arxiv.requests_to("/html/")[0]
    assert rss.time > html.time


def test_a_server_that_stalls_mid_body_is_left_at_the_deadline_not_the_read_timeout(
    fake_arxiv: FakeArxiv, gate: RequestGate, session: requests.Session
) -> None:
    body = fake_arxiv.pdfs[PAPER] = trickle(b"%PDF-1.4\n", "application/pdf", every=30.0)
    with pytest.raises(DownloadTimedOut):
        fetch(session, gate, pdf_url(fake_arxiv), deadline=0.3)
    # The server is still in its 30-second pause: we neither waited for it nor for the 10 s timeout.
    assert body.chunks_sent == 1 and not body.finished.is_set()


def test_headers_sent_a_byte_at_a_time_are_cut_at_the_deadline_too(
    fake_arxiv: FakeArxiv, gate: RequestGate, session: requests.Session
) -> None:
    # About 60 header bytes, 0.2 s apart: 12 s if we waited, each byte well within the read timeout.
    body = fake_arxiv.html[PAPER] = trickled_headers(every=0.2)
    with pytest.raises(DownloadTimedOut):
        fetch(session, gate, html_url(fake_arxiv), deadline=0.5)
    assert body.chunks_sent == 0 and not body.finished.is_set()
    assert gate.waiting == 0


def test_a_redirect_is_followed_as_a_second_gated_request_within_the_same_deadline(
    fake_arxiv: FakeArxiv, gate: RequestGate, session: requests.Session
) -> None:
    fake_arxiv.pdfs[PAPER] = Redirect(f"{fake_arxiv.url}/pdf/{PAPER}.pdf")
    fake_arxiv.pdfs[f"{PAPER}.pdf"] = pdf = minimal_pdf([["Page one."]])
    got, kept = fetch(session, gate, pdf_url(fake_arxiv))
    assert kept.data == pdf and got.complete and got.url.endswith(".pdf")
    assert gate.requests_made == 2
    assert [r.headers["user-agent"] for r in fake_arxiv.requests] == [USER_AGENT, USER_AGENT]


def test_a_streamed_request_outside_the_gate_is_refused(
    fake_arxiv: FakeArxiv, session: requests.Session
) -> None:
    # Its body would be read after the slot is released: two connections to arXiv at once.
    with pytest.raises(RuntimeError, match=r"inside gate\.slot"):
        session.get(html_url(fake_arxiv), stream=True)
    assert fake_arxiv.requests == []
