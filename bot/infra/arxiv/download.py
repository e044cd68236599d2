"""One bounded download from arXiv: a byte cap and one deadline, inside the request gate's slot.

The body goes chunk by chunk to a reader (the HTML extractor, the PDF's bytes), which can say it
has enough; nothing holds more of a body than its reader keeps.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urljoin

import requests

from bot.infra.arxiv.gate import RequestGate
from bot.infra.arxiv.watch import Watch, watching

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
MAX_REDIRECTS = 3


class DownloadTimedOut(requests.Timeout):
    """The download's deadline passed before its body was in."""


class BodyReader(Protocol):
    """Where a body goes as it arrives."""

    def wants(self, content_type: str, length: int | None) -> bool:
        """Read this body at all, given its type and declared length?"""
        ...

    def take(self, chunk: bytes) -> bool:
        """Keep a piece; False once the reader has enough."""
        ...


@dataclass(frozen=True, slots=True)
class Download:
    """How it went: `complete` when the body was read to its end (not cut by the cap or the reader)."""

    url: str
    status: int
    bytes_read: int
    complete: bool


def download(
    session: requests.Session,
    gate: RequestGate,
    url: str,
    reader: BodyReader,
    *,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> Download:
    """GET `url` into `reader`, at most `max_bytes`, all of it (redirects too) within `deadline` seconds.

    The gate's slot is held for each hop, from sending to the last byte read, and released at the
    deadline at the latest: the connection is cut then, whatever the server is doing.
    """
    spent = 0.0
    for _ in range(MAX_REDIRECTS + 1):
        with gate.slot():
            started = time.monotonic()
            try:
                with watching(deadline - spent) as watch:
                    result = _one_hop(session, url, reader, max_bytes, timeout, watch)
            finally:
                spent += time.monotonic() - started
        if isinstance(result, Download):
            return result
        url = result
    raise requests.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects from {url}")


def _one_hop(
    session: requests.Session, url: str, reader: BodyReader, max_bytes: int, timeout: float, watch: Watch
) -> Download | str:
    """The outcome of one request, or where it redirects to."""
    try:
        response = session.get(
            url,
            stream=True,
            allow_redirects=False,
            timeout=timeout,
            # Compressed bodies would make the byte cap count the wrong bytes.
            headers={"Accept-Encoding": "identity"},
        )
    except requests.RequestException as error:
        if watch.cut_off:
            raise _timed_out(url) from error
        raise
    with response:
        if response.is_redirect and "Location" in response.headers:
            return urljoin(url, response.headers["Location"])
        declared = response.headers.get("Content-Length", "")
        length = int(declared) if declared.isdigit() else None
        content_type = response.headers.get("Content-Type", "")
        if response.status_code != requests.codes.ok or not reader.wants(content_type, length):
            return Download(url, response.status_code, 0, False)
        read = 0
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                keep = chunk[: max_bytes - read]
                read += len(keep)
                if not reader.take(keep):
                    return Download(url, response.status_code, read, False)
                if len(keep) < len(chunk):
                    log.info("full text %s: stopped reading at the %d-byte cap", url, max_bytes)
                    return Download(url, response.status_code, read, False)
        except (requests.RequestException, OSError) as error:
            if watch.cut_off:
                raise _timed_out(url) from error
            raise
        if watch.cut_off:
            # A body without a length ends when the connection does: this end was the deadline's.
            raise _timed_out(url)
        return Download(url, response.status_code, read, True)


def _timed_out(url: str) -> DownloadTimedOut:
    return DownloadTimedOut(f"{url}: the download deadline passed")
