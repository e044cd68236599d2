"""A paper's full text from arXiv: its HTML rendering, else its PDF, through the one request gate."""

from __future__ import annotations

import asyncio
import io
import logging
from html.parser import HTMLParser

import requests

from bot.infra.arxiv.gate import RequestGate
from bot.infra.arxiv.transport import gated_session
from bot.services.ports import FullText, Section

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 40_000_000
# An HTML page with less text than this is an error page or a stub, not the paper.
MIN_HTML_CHARS = 400
SKIPPED_TAGS = {
    "head",
    "title",
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "button",
    "annotation",
    "annotation-xml",
    "svg",
}
SKIPPED_CLASSES = {
    "ltx_bibliography",
    "ltx_page_header",
    "ltx_page_footer",
    "ltx_authors",
    "ltx_role_footnote",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = {"p", "div", "li", "br", "section", "article", "figure", "figcaption", "table", "tr", "blockquote"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class ArxivFullText:
    """Fetches arXiv HTML (LaTeXML) or, failing that, the PDF; None when neither can be had."""

    def __init__(
        self, html_url: str, pdf_url: str, *, gate: RequestGate, timeout: float, max_chars: int = 80_000
    ) -> None:
        self.html_url = html_url
        self.pdf_url = pdf_url
        self.max_chars = max_chars
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
                log.warning("full text of %s (%s) unavailable: %s", versioned_id, kind, type(error).__name__)
                continue
            except Exception:  # a PDF library choking on a malformed file must not break an explanation
                log.exception("full text of %s (%s) could not be read", versioned_id, kind)
                continue
            if sections:
                return FullText(kind, tuple(sections))
        return None

    def _get(self, template: str, versioned_id: str) -> requests.Response | None:
        response = self._session.get(template.format(id=versioned_id), allow_redirects=True)
        if response.status_code != requests.codes.ok:
            log.info("full text %s: HTTP %d", template.format(id=versioned_id), response.status_code)
            return None
        return response

    def _html(self, versioned_id: str) -> list[Section]:
        response = self._get(self.html_url, versioned_id)
        if response is None or "html" not in response.headers.get("Content-Type", "html"):
            return []
        sections = html_sections(response.text, self.max_chars)
        if sum(len(s.text) for s in sections) < MIN_HTML_CHARS:
            return []
        return sections

    def _pdf(self, versioned_id: str) -> list[Section]:
        response = self._get(self.pdf_url, versioned_id)
        if (
            response is None
            or not response.content.startswith(b"%PDF")
            or len(response.content) > MAX_PDF_BYTES
        ):
            return []
        return pdf_sections(response.content, self.max_chars)


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


def html_sections(html: str, max_chars: int) -> list[Section]:
    """The text of an arXiv HTML page split at its headings; math kept as its LaTeX source."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    sections: list[Section] = []
    total = 0
    for heading, text in parser.sections():
        if text:
            sections.append(Section(heading, text))
            total += len(text)
        if total >= max_chars:
            break
    return sections


class _TextExtractor(HTMLParser):
    """Collects (heading, text) pairs, skipping navigation, references and MathML internals."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self._heading: list[str] | None = None
        self._current = "Front matter"
        self._parts: list[str] = []
        self._done: list[tuple[str, str]] = []

    @property
    def _skipping(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        skip = self._skipping or tag in SKIPPED_TAGS or bool(classes & SKIPPED_CLASSES)
        if not skip and tag == "math":
            self._text(f" ${values.get('alttext') or ''}$ ")
            skip = True  # the MathML inside repeats the formula symbol by symbol
        if tag in VOID:
            if tag == "br" and not skip:
                self._text("\n")
            return
        self._stack.append((tag, skip))
        if skip:
            return
        if tag in HEADINGS:
            self._flush()
            self._heading = []
        elif tag in BLOCKS:
            self._text("\n")

    def handle_endtag(self, tag: str) -> None:
        if not any(name == tag for name, _ in self._stack):
            return
        while self._stack:
            name, _ = self._stack.pop()
            if name == tag:
                break
        if tag in HEADINGS and self._heading is not None and not self._skipping:
            self._current = " ".join("".join(self._heading).split()) or self._current
            self._heading = None
        elif tag in BLOCKS:
            self._text("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._text(data)

    def _text(self, text: str) -> None:
        if self._heading is not None:
            self._heading.append(text)
        else:
            self._parts.append(text)

    def _flush(self) -> None:
        lines = (" ".join(line.split()) for line in "".join(self._parts).splitlines())
        text = "\n".join(line for line in lines if line)
        if text:
            self._done.append((self._current, text))
        self._parts = []

    def sections(self) -> list[tuple[str, str]]:
        """Every section seen, in document order."""
        self._flush()
        return self._done
