"""The text of an arXiv (LaTeXML) HTML page, split at its headings, in time linear in the page.

lxml (libxml2) parses; one iterative walk over the tree collects the text. Math is kept as its
LaTeX (`alttext`), navigation and references are skipped, and a table comes out one row a line
with ` | ` between cells. LaTeXML writes tabulars inside running text as `span`s with the classes
`ltx_tabular`, `ltx_tr` and `ltx_td` (its LaTeXML-tabular-xhtml.xsl); those count as tables too.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator

import lxml.etree
import lxml.html

from bot.services.ports import Section

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


def html_sections(data: bytes, max_chars: int, encoding: str | None = None) -> list[Section]:
    """The sections of an arXiv HTML page, in order, until about `max_chars` characters are read."""
    root = _parse(data, encoding)
    if root is None:
        return []
    sections: list[Section] = []
    total = 0
    for heading, text in _Extractor().sections(root):
        sections.append(Section(heading, text))
        total += len(text)
        if total >= max_chars:
            break
    return sections


def _parse(data: bytes, encoding: str | None) -> lxml.html.HtmlElement | None:
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            encoding = None  # a made-up charset: let libxml2 sniff the page
    parser = lxml.html.HTMLParser(
        encoding=encoding, remove_comments=True, remove_pis=True, no_network=True, recover=True
    )
    try:
        # libxml2 stops at a depth of 256 (no `huge_tree`): a page of unclosed tags ends there.
        return lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None


def _classes(element: lxml.html.HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


class _Extractor:
    """One pass over the tree; no recursion, so a deep tree costs no more than a wide one."""

    def __init__(self) -> None:
        self._current = FRONT_MATTER
        self._parts: list[str] = []
        self._heading: list[str] | None = None
        self._done: list[tuple[str, str]] = []
        self._row_cells: list[int] = []  # cells seen so far in each open row
        self._in_cell = 0

    def sections(self, root: lxml.html.HtmlElement) -> Iterator[tuple[str, str]]:
        """(heading, text) for each non-empty section, in document order."""
        self._open(root)
        stack = [(root, iter(root))]
        while stack:
            element, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                self._close(element)
                if stack:
                    self._text(element.tail)
                yield from self._ready()
                continue
            if not isinstance(child.tag, str) or self._skipped(child):
                self._text(child.tail)
                continue
            if child.tag == "math":
                self._text(f" ${child.get('alttext') or ''}$ ")  # the MathML repeats it symbol by symbol
                self._text(child.tail)
                continue
            self._open(child)
            stack.append((child, iter(child)))
        self._flush()
        yield from self._ready()

    def _ready(self) -> Iterator[tuple[str, str]]:
        done, self._done = self._done, []
        yield from done

    @staticmethod
    def _skipped(element: lxml.html.HtmlElement) -> bool:
        return element.tag in SKIPPED_TAGS or bool(_classes(element) & SKIPPED_CLASSES)

    def _open(self, element: lxml.html.HtmlElement) -> None:
        tag, classes = element.tag, _classes(element)
        if tag in HEADINGS:
            self._flush()
            self._heading = []
        elif tag in ROW_TAGS or ROW_CLASS in classes:
            self._text("\n")
            self._row_cells.append(0)
        elif tag in CELL_TAGS or CELL_CLASS in classes:
            if self._row_cells:
                if self._row_cells[-1]:
                    self._text(CELL_SEPARATOR)
                self._row_cells[-1] += 1
            self._in_cell += 1
        elif tag in BLOCKS:
            self._break()
        self._text(element.text)

    def _close(self, element: lxml.html.HtmlElement) -> None:
        tag, classes = element.tag, _classes(element)
        if tag in HEADINGS:
            if self._heading is not None:
                self._current = " ".join("".join(self._heading).split()) or self._current
                self._heading = None
        elif tag in ROW_TAGS or ROW_CLASS in classes:
            if self._row_cells:
                self._row_cells.pop()
            self._text("\n")
        elif tag in CELL_TAGS or CELL_CLASS in classes:
            self._in_cell = max(0, self._in_cell - 1)
        elif tag in BLOCKS:
            self._break()

    def _break(self) -> None:
        # Inside a cell a paragraph break is a space: a row stays on one line.
        self._text(" " if self._in_cell else "\n")

    def _text(self, text: str | None) -> None:
        if not text:
            return
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
