"""The text of an arXiv (LaTeXML) HTML page, split at its headings, read as the page streams in.

lxml's pull parser (libxml2) turns bytes into start and end events; each element is handled once
and dropped as soon as its text is taken, so time is linear in the page and memory is bounded by
its depth (libxml2 stops at 256), not its size. Reading stops once enough text is in, so a huge
page costs no more than the part we use. Math is kept as its LaTeX (`alttext`), navigation and
references are skipped, and a table comes out one row a line with ` | ` between cells. LaTeXML
writes tabulars inside running text as `span`s with the classes `ltx_tabular`, `ltx_tr` and
`ltx_td` (its LaTeXML-tabular-xhtml.xsl); those count as tables too.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from dataclasses import dataclass, field
from email.message import Message

import lxml.etree

from bot.ports import Section

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
    "noscript",
    "template",
}
SKIPPED_CLASSES = {
    "ltx_bibliography",
    "ltx_page_header",
    "ltx_page_footer",
    "ltx_authors",
    "ltx_role_footnote",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = {"p", "div", "li", "br", "section", "article", "figure", "figcaption", "table", "blockquote"}
ROW_TAGS, ROW_CLASS = {"tr"}, "ltx_tr"
CELL_TAGS, CELL_CLASS = {"td", "th"}, "ltx_td"
CELL_SEPARATOR = " | "
FRONT_MATTER = "Front matter"
# arXiv's pages are UTF-8; a server that names no charset (or a made-up one) gets that assumption.
DEFAULT_ENCODING = "utf-8"
FEED_BYTES = 64 * 1024
_SPACES = re.compile(r"\s+")


def html_sections(data: bytes, max_chars: int, encoding: str | None = None) -> list[Section]:
    """The sections of a whole page at once (the reader below, fed in pieces)."""
    reader = HtmlText(max_chars, encoding)
    for start in range(0, len(data), FEED_BYTES):
        if not reader.take(data[start : start + FEED_BYTES]):
            break
    return reader.sections()


@dataclass(slots=True)
class _Open:
    """An element being read: has its own text been taken, and which child's tail is still due."""

    element: lxml.etree._Element
    text_taken: bool = False
    last_child: lxml.etree._Element | None = field(default=None)


class HtmlText:
    """Feed a page chunk by chunk (`take`) until it says it has enough; then read its `sections()`."""

    def __init__(self, max_chars: int, encoding: str | None = None) -> None:
        self.max_chars = max_chars
        self.encoding = encoding
        self._parser: lxml.etree.HTMLPullParser | None = None
        self._open_elements: list[_Open] = []
        self._skipping = 0  # depth inside a skipped element
        self._chars = 0
        self._current = FRONT_MATTER
        self._parts: list[str] = []
        self._heading: list[str] | None = None
        self._done: list[Section] = []
        self._row_cells: list[int] = []  # cells seen so far in each open row
        self._in_cell = 0

    @property
    def full(self) -> bool:
        """Enough text is in: the rest of the page would not be read anyway."""
        return self._chars >= self.max_chars

    def wants(self, content_type: str, length: int | None) -> bool:
        """An HTML page (or an unlabelled one) of any length: its beginning is the paper's."""
        header = Message()
        header["Content-Type"] = content_type
        charset = header.get_param("charset")
        if isinstance(charset, str):
            self.encoding = charset
        return "html" in (content_type or "html")

    def take(self, chunk: bytes) -> bool:
        """Parse one more piece of the page; False once enough text is in."""
        try:
            self._parse().feed(chunk)
        except lxml.etree.XMLSyntaxError:
            return False
        self._read_events()
        return not self.full

    def sections(self) -> list[Section]:
        """Every non-empty section read, in order (the page ends here, whole or not)."""
        with contextlib.suppress(lxml.etree.XMLSyntaxError):
            self._parse().close()
        self._read_events()
        while self._open_elements:  # a page cut short, or past libxml2's depth limit
            self._end(self._open_elements.pop())
        self._flush()
        return self._done

    def _parse(self) -> lxml.etree.HTMLPullParser:
        if self._parser is None:
            try:
                encoding = codecs.lookup(self.encoding or DEFAULT_ENCODING).name
            except LookupError:
                encoding = DEFAULT_ENCODING
            self._parser = lxml.etree.HTMLPullParser(
                events=("start", "end"),
                encoding=encoding,
                remove_comments=True,
                remove_pis=True,
                no_network=True,
                recover=True,
            )
        return self._parser

    def _read_events(self) -> None:
        for event, element in self._parse().read_events():
            if self.full:
                return
            if self._skipping:
                self._skipping += 1 if event == "start" else -1
                if not self._skipping:
                    element.clear(keep_tail=True)
            elif event == "start":
                self._start(element)
            else:
                self._end(self._open_elements.pop())

    def _start(self, element: lxml.etree._Element) -> None:
        if self._open_elements:
            parent = self._open_elements[-1]
            self._catch_up(parent)
            parent.last_child = element
        tag, classes = element.tag, _classes(element)
        if tag in SKIPPED_TAGS or classes & SKIPPED_CLASSES:
            self._skipping = 1
            return
        if tag == "math":
            self._text(f" ${element.get('alttext') or ''}$ ")  # the MathML repeats it symbol by symbol
            self._skipping = 1
            return
        self._open_elements.append(_Open(element))
        if tag in HEADINGS:
            self._flush()
            self._heading = []
        elif tag in ROW_TAGS or ROW_CLASS in classes:
            self._emit("\n")
            self._row_cells.append(0)
        elif tag in CELL_TAGS or CELL_CLASS in classes:
            if self._row_cells:
                if self._row_cells[-1]:
                    self._emit(CELL_SEPARATOR)
                self._row_cells[-1] += 1
            self._in_cell += 1
        elif tag in BLOCKS:
            self._break()

    def _catch_up(self, opened: _Open) -> None:
        """Take the text known to be complete: the element's own, then its last child's tail."""
        if not opened.text_taken:
            self._text(opened.element.text)
            opened.text_taken = True
        child = opened.last_child
        if child is not None:
            self._text(child.tail)
            parent = child.getparent()  # libxml2 may have moved it (a `p` it closed, a table it fixed)
            if parent is not None:
                parent.remove(child)  # read: let it go
            opened.last_child = None

    def _end(self, opened: _Open) -> None:
        self._catch_up(opened)
        tag, classes = opened.element.tag, _classes(opened.element)
        if tag in HEADINGS:
            if self._heading is not None:
                self._current = " ".join("".join(self._heading).split()) or self._current
                self._heading = None
        elif tag in ROW_TAGS or ROW_CLASS in classes:
            if self._row_cells:
                self._row_cells.pop()
            self._emit("\n")
        elif tag in CELL_TAGS or CELL_CLASS in classes:
            self._in_cell = max(0, self._in_cell - 1)
        elif tag in BLOCKS:
            self._break()

    def _break(self) -> None:
        # Inside a cell a paragraph break is a space: a row stays on one line.
        self._emit(" " if self._in_cell else "\n")

    def _text(self, text: str | None) -> None:
        """Text of the page: its own line breaks are only spaces; ours come from the elements."""
        if text:
            self._emit(_SPACES.sub(" ", text))

    def _emit(self, text: str) -> None:
        if self._heading is not None:
            self._heading.append(text)
        else:
            self._parts.append(text)
            self._chars += len(text)

    def _flush(self) -> None:
        lines = (" ".join(line.split()) for line in "".join(self._parts).splitlines())
        text = "\n".join(line for line in lines if line)
        if text:
            self._done.append(Section(self._current, text))
        self._parts = []


def _classes(element: lxml.etree._Element) -> set[str]:
    return set(str(element.get("class") or "").split())
