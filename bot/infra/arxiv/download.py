"""One bounded download from arXiv: a byte cap and one deadline, inside the request gate's slot."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin

import requests

from bot.infra.arxiv.gate import RequestGate
from bot.infra.arxiv.watch import Watch, watching

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
MAX_REDIRECTS = 3


class DownloadTimedOut(requests.Timeout):
    """The download's deadline passed before its body was in."""


@dataclass(frozen=True, slots=True)
class Download:
    """What came back: the body is at most the cap; `complete` is False when the cap cut it."""

    url: str
    status: int
    content_type: str
    body: bytes
    complete: bool

    @property
    def charset(self) -> str | None:
        """The charset the Content-Type names, if any."""
        message = Message()
        message["Content-Type"] = self.content_type
        found = message.get_param("charset")
        return found if isinstance(found, str) else None


def download(
    session: requests.Session,
    gate: RequestGate,
    url: str,
    *,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> Download:
    """GET `url` reading at most `max_bytes`, all of it (redirects included) within `deadline` seconds.

    The gate's slot is held for each hop, from sending to the last byte read, and released at the
    deadline at the latest: the connection is cut then, whatever the server is doing.
    """
    spent = 0.0
    for _ in range(MAX_REDIRECTS + 1):
        with gate.slot():
            started = time.monotonic()
            try:
                with watching(deadline - spent) as watch:
                    result = _one_hop(session, url, max_bytes, timeout, watch)
            finally:
                spent += time.monotonic() - started
        if isinstance(result, Download):
            return result
        url = result
    raise requests.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects from {url}")


def _one_hop(
    session: requests.Session, url: str, max_bytes: int, timeout: float, watch: Watch
) -> Download | str:
    """The response of one request, or where it redirects to."""
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
            raise DownloadTimedOut(f"{url}: the download deadline passed") from error
        raise
    with response:
        if response.is_redirect and "Location" in response.headers:
            return urljoin(url, response.headers["Location"])
        content_type = response.headers.get("Content-Type", "")
        if response.status_code != requests.codes.ok:
            return Download(url, response.status_code, content_type, b"", True)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            log.info("full text %s: %s bytes declared, over the %d-byte cap", url, declared, max_bytes)
            return Download(url, response.status_code, content_type, b"", False)
        body = bytearray()
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                body += chunk
                if len(body) > max_bytes:
                    log.info("full text %s: stopped reading at the %d-byte cap", url, max_bytes)
                    return Download(url, response.status_code, content_type, bytes(body[:max_bytes]), False)
        except (requests.RequestException, OSError) as error:
            if watch.cut_off:
                raise DownloadTimedOut(f"{url}: the download deadline passed") from error
            raise
        if watch.cut_off:
            # A body without a length ends when the connection does: this end was the deadline's.
            raise DownloadTimedOut(f"{url}: the download deadline passed")
        return Download(url, response.status_code, content_type, bytes(body), True)
