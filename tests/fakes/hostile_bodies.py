"""Full-text bodies a hostile or broken server sends, for the fake arXiv's `/html/` and `/pdf/` paths.

    fake_arxiv.html["2602.10905v1"] = huge_body(300_000_000, "text/html")
    fake_arxiv.pdfs["2602.10905v1"] = trickle(b"%PDF-1.4 ...", every=0.05)

Each is generated as it is sent (a 300 MB body costs the test no memory) and counts what went out,
so a test asserts on what the server sent, never on how fast the machine is. These are the attacks
issue 12 reports: a 300 MB HTML page, a 400 MB PDF, a chunk every 10 seconds, and 200,000
unclosed tags.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

CHUNK = 64 * 1024


@dataclass
class StreamedBody:
    """A response body written chunk by chunk, with what the server managed to send."""

    content_type: str
    chunks: Callable[[], Iterator[bytes]]
    length: int | None = None  # sent as Content-Length; None: the body ends when the connection does
    every: float = 0.0  # seconds between chunks
    header_every: float = 0.0  # > 0: the header lines themselves come a byte at a time, this far apart
    bytes_sent: int = 0
    chunks_sent: int = 0
    started: threading.Event = field(default_factory=threading.Event)
    client_gone: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    def sent(self, chunk: bytes) -> None:
        """Count a chunk the socket accepted."""
        self.bytes_sent += len(chunk)
        self.chunks_sent += 1


def _repeat(piece: bytes, size: int) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        block = piece * (CHUNK // len(piece) + 1)
        left = size
        while left > 0:
            yield block[: min(CHUNK, left)]
            left -= CHUNK

    return chunks


def huge_body(size: int, content_type: str, *, declared: bool = False) -> StreamedBody:
    """`size` bytes of a plausible page (or PDF), with or without an honest Content-Length."""
    if content_type == "application/pdf":
        head, piece = b"%PDF-1.4\n", b"0 0 0 RG 1 0 0 1 72 720 cm\n"
    else:
        head = b"<!DOCTYPE html><html><body><article><section><h2>1 Introduction</h2>"
        piece = b"<p>Hessians everywhere, and again.</p>\n"
    rest = _repeat(piece, size - len(head))

    def chunks() -> Iterator[bytes]:
        yield head
        yield from rest()

    return StreamedBody(content_type, chunks, length=size if declared else None)


def trickle(start: bytes, content_type: str, *, every: float, piece: bytes = b"<p>more</p>") -> StreamedBody:
    """`start`, then `piece` every `every` seconds, for ever (until the client leaves)."""

    def chunks() -> Iterator[bytes]:
        yield start
        while True:
            yield piece

    return StreamedBody(content_type, chunks, every=every)


def trickled_headers(every: float) -> StreamedBody:
    """A server that sends its status line, then its header lines one byte every `every` seconds."""

    def chunks() -> Iterator[bytes]:
        yield b"<p>never reached</p>"

    return StreamedBody("text/html", chunks, header_every=every)


def unclosed_tags(opening: str, count: int, tags: tuple[str, ...] = ("div", "span", "b", "td", "li")) -> str:
    """A page whose real text is followed by `count` tags that never close (malformed, not huge)."""
    junk = "".join(f"<{tags[n % len(tags)]}>x" for n in range(count))
    return f"<!DOCTYPE html><html><body><article>{opening}{junk}</body></html>"
