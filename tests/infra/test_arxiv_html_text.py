"""The arXiv HTML extractor: sections, LaTeX math, tables cell by cell, and malformed pages in linear time."""

from __future__ import annotations

import pytest

from bot.infra.arxiv.html_text import html_sections
from bot.ports import Section
from tests.fakes.hostile_bodies import unclosed_tags

# LaTeXML's table markup (LaTeXML-tabular-xhtml.xsl): `table` in a block, `span`s inline.
TABLE_PAGE = """<html><body><article>
<section class="ltx_section"><h2 class="ltx_title"><span class="ltx_tag">4 </span>Results</h2>
<p>Table 1 compares the methods.</p>
<figure class="ltx_table"><table class="ltx_tabular ltx_guessed_headers ltx_align_middle">
<thead class="ltx_thead"><tr class="ltx_tr">
<th class="ltx_td ltx_align_left ltx_th ltx_th_column">Method</th>
<th class="ltx_td ltx_th ltx_th_column">Error</th><th class="ltx_td ltx_th">Time (s)</th></tr></thead>
<tbody class="ltx_tbody"><tr class="ltx_tr"><td class="ltx_td">NHGD</td>
<td class="ltx_td"><math alttext="0.12\\pm 0.01"><mn>0.12</mn></math></td>
<td class="ltx_td"><p>3.4</p></td></tr>
<tr class="ltx_tr"><td class="ltx_td">SGD</td><td class="ltx_td">0.31</td>
<td class="ltx_td">1.2</td></tr></tbody>
</table><figcaption>Table 1: Error and time.</figcaption></figure>
<p>Inline: <span class="ltx_tabular ltx_align_middle"><span class="ltx_tbody">
<span class="ltx_tr"><span class="ltx_td">a</span><span class="ltx_td">b</span></span>
<span class="ltx_tr"><span class="ltx_td">c</span><span class="ltx_td">d</span></span></span></span></p>
</section>
<section class="ltx_bibliography"><h2>References</h2><ul><li>[1] Someone Else, 2020.</li></ul></section>
</article></body></html>"""


def text_of(sections: list[Section]) -> str:
    """Everything extracted, headings included, as one string."""
    return "\n".join(f"## {s.heading}\n{s.text}" for s in sections)


def test_table_cells_stay_apart_one_row_a_line() -> None:
    sections = html_sections(TABLE_PAGE.encode(), 80_000)
    assert [s.heading for s in sections] == ["4 Results"]
    lines = sections[0].text.splitlines()
    assert "Method | Error | Time (s)" in lines
    assert r"NHGD | $0.12\pm 0.01$ | 3.4" in lines  # math as LaTeX, a paragraph in a cell on the row
    assert "SGD | 0.31 | 1.2" in lines
    assert "Table 1: Error and time." in lines
    assert "a | b" in lines and "c | d" in lines  # LaTeXML's inline tabular of spans
    assert "Someone Else" not in text_of(sections)


def test_the_page_charset_from_the_server_is_used_and_a_bogus_one_ignored() -> None:
    page = "<html><body><h2>Théorème</h2><p>Soit μ une mesure de probabilité.</p></body></html>"
    assert html_sections(page.encode("latin-1", "replace"), 1000, "iso-8859-1")[0].heading == "Théorème"
    assert (
        html_sections(page.encode(), 1000, "no-such-charset")[0].text == "Soit μ une mesure de probabilité."
    )


def test_reading_stops_once_enough_text_is_in() -> None:
    page = "".join(f"<section><h2>{n}</h2><p>{'word ' * 200}</p></section>" for n in range(1000))
    sections = html_sections(f"<html><body>{page}</body></html>".encode(), 5_000)
    assert 5 <= len(sections) <= 6


def test_nothing_or_garbage_gives_no_sections_rather_than_an_error() -> None:
    assert html_sections(b"", 1000) == []
    assert [s.text[-8:] for s in html_sections(b"\x00\xff\xfe garbage", 1000)] == [" garbage"]
    assert html_sections(b"%PDF-1.4 not html at all", 1000)[0].text.startswith("%PDF")


@pytest.mark.timeout(30)  # the HTMLParser extractor this replaced took over 400 s of CPU here
@pytest.mark.parametrize("tags", [("div",), ("span", "b"), ("td",), ("p",), ("li", "div", "td")])
def test_200000_unclosed_tags_cost_little_and_keep_the_text_before_them(tags: tuple[str, ...]) -> None:
    opening = "<section><h2>1 Introduction</h2><p>The hypergradient needs an inverse Hessian.</p></section>"
    page = unclosed_tags(opening, 200_000, tags)
    sections = html_sections(page.encode(), 80_000)
    assert sections[0].heading == "1 Introduction"
    assert sections[0].text.startswith("The hypergradient needs an inverse Hessian.\n")
