"""A paper's full text from arXiv: its HTML rendering, else its PDF, through the one request gate."""

from __future__ import annotations

import asyncio
import io
import logging

import requests

from bot.infra.arxiv.download import BodyReader, Download, download
from bot.infra.arxiv.gate import RequestGate
from bot.infra.arxiv.html_text import HtmlText
from bot.infra.arxiv.transport import gated_session
from bot.ports import FullText, Section

log = logging.getLogger(__name__)

# Defaults of `ARXIV_FULL_TEXT_MAX_BYTES` and `ARXIV_FULL_TEXT_DEADLINE`.
MAX_BYTES = 40_000_000
DEADLINE_SECONDS = 60.0
# An HTML page with less text than this is an error page or a stub, not the paper.
MIN_HTML_CHARS = 400


class ArxivFullText:
    """Fetches arXiv HTML (LaTeXML) or, failing that, the PDF; None when neither can be had.

    Both downloads are bounded: at most `max_bytes` read, and `deadline` seconds from the first
    byte sent to the last read, after which the connection is cut and the gate is free again.
    """

    def __init__(
        self,
        html_url: str,
        pdf_url: str,
        *,
        gate: RequestGate,
        timeout: float,
        max_chars: int = 80_000,
        max_bytes: int = MAX_BYTES,
        deadline: float = DEADLINE_SECONDS,
    ) -> None:
        self.html_url = html_url
        self.pdf_url = pdf_url
        self.gate = gate
        self.timeout = timeout
        self.max_chars = max_chars
        self.max_bytes = max_bytes
        self.deadline = deadline
        self._session = gated_session(gate, timeout)

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    async def fetch(self, versioned_id: str) -> FullText | None:
        """The paper's text, sectioned; never raises (the abstract is the fallback)."""
        return await asyncio.to_thread(self._fetch, versioned_id)

    def _fetch(self, versioned_id: str) -> FullText | None:
        for kind, read in (("arXiv HTML", self._html), ("PDF", self._pdf)):
            try:
                sections = read(versioned_id)
            except (requests.RequestException, ValueError, OSError) as error:
                reason = f"{type(error).__name__}: {error}"
                log.warning("full text of %s (%s) unavailable: %s", versioned_id, kind, reason)
                continue
            except Exception:  # a PDF library choking on a malformed file must not break an explanation
                log.exception("full text of %s (%s) could not be read", versioned_id, kind)
                continue
            if sections:
                return FullText(kind, tuple(sections))
        return None

    def _get(self, template: str, versioned_id: str, reader: BodyReader) -> Download | None:
        """Download into `reader`; None when the server had nothing for us."""
        url = template.format(id=versioned_id)
        got = download(
            self._session,
            self.gate,
            url,
            reader,
            max_bytes=self.max_bytes,
            deadline=self.deadline,
            timeout=self.timeout,
        )
        if got.status != requests.codes.ok:
            log.info("full text %s: HTTP %d", url, got.status)
            return None
        return got if got.bytes_read else None

    def _html(self, versioned_id: str) -> list[Section]:
        # Read as it arrives, and only until there is enough text: a page cut at the cap still
        # starts with the paper.
        reader = HtmlText(self.max_chars)
        if self._get(self.html_url, versioned_id, reader) is None:
            return []
        sections = reader.sections()
        if sum(len(s.text) for s in sections) < MIN_HTML_CHARS:
            return []
        return sections

    def _pdf(self, versioned_id: str) -> list[Section]:
        reader = _WholePdf(self.max_bytes)
        got = self._get(self.pdf_url, versioned_id, reader)
        if got is None or not got.complete or not reader.data.startswith(b"%PDF"):
            return []
        return pdf_sections(reader.data, self.max_chars)


class _WholePdf:
    """A PDF's bytes, all or nothing: one cut at the cap has lost its cross-reference table."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.data = bytearray()

    def wants(self, content_type: str, length: int | None) -> bool:
        """Not one declared longer than the cap: it would only be read to be thrown away."""
        return length is None or length <= self.max_bytes

    def take(self, chunk: bytes) -> bool:
        """Keep it all (up to the cap, which the download enforces)."""
        self.data += chunk
        return True


def pdf_sections(data: bytes | bytearray, max_chars: int) -> list[Section]:
    """One section per page ("page 3"), stopping once enough text is read."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    sections: list[Section] = []
    total = 0
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join((page.extract_text() or "").split())
        if text:
            sections.append(Section(f"page {number}", text))
            total += len(text)
        if total >= max_chars:
            break
    return sections
