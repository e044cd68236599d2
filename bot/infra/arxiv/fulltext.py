"""A paper's full text from arXiv: its HTML rendering, else its PDF, through the one request gate."""

from __future__ import annotations

import asyncio
import io
import logging

import requests

from bot.infra.arxiv.download import Download, download
from bot.infra.arxiv.gate import RequestGate
from bot.infra.arxiv.html_text import html_sections
from bot.infra.arxiv.transport import gated_session
from bot.services.ports import FullText, Section

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

    def _get(self, template: str, versioned_id: str) -> Download | None:
        url = template.format(id=versioned_id)
        got = download(
            self._session,
            self.gate,
            url,
            max_bytes=self.max_bytes,
            deadline=self.deadline,
            timeout=self.timeout,
        )
        if got.status != requests.codes.ok:
            log.info("full text %s: HTTP %d", url, got.status)
            return None
        return got

    def _html(self, versioned_id: str) -> list[Section]:
        got = self._get(self.html_url, versioned_id)
        if got is None or "html" not in (got.content_type or "html"):
            return []
        # A page cut at the cap still starts with the paper: its first sections are what we read.
        sections = html_sections(got.body, self.max_chars, got.charset)
        if sum(len(s.text) for s in sections) < MIN_HTML_CHARS:
            return []
        return sections

    def _pdf(self, versioned_id: str) -> list[Section]:
        got = self._get(self.pdf_url, versioned_id)
        # A PDF cut at the cap has lost its cross-reference table: unreadable, so not read.
        if got is None or not got.complete or not got.body.startswith(b"%PDF"):
            return []
        return pdf_sections(got.body, self.max_chars)


def pdf_sections(data: bytes, max_chars: int) -> list[Section]:
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
