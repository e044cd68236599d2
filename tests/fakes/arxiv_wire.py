"""arXiv's wire formats for the fake server: API Atom feeds, RSS listings, and query matching."""

from __future__ import annotations

import fnmatch
import re
import textwrap
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from bot.domain.paper import Paper

ARXIV_TZ = ZoneInfo("America/New_York")
NEW_ID = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
OLD_ID = re.compile(r"^[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$")

_ATOM_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" \
xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" \
xmlns:arxiv="http://arxiv.org/schemas/atom">
  <id>https://arxiv.org/api/fake</id>
  <title>arXiv Query: {query}</title>
  <updated>{now}</updated>
  <link href={link} type="application/atom+xml"/>
  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>{start}</opensearch:startIndex>
"""


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _wrapped(text: str, width: int = 78) -> str:
    # The real API wraps titles and abstracts with newlines and indentation.
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    return "\n  ".join(lines)


def _head(query: str, per_page: int, total: int, start: int) -> str:
    return _ATOM_HEAD.format(
        query=escape(query),
        now=_stamp(datetime.now(UTC)),
        link=quoteattr(f"https://arxiv.org/api/query?{query}"),
        per_page=per_page,
        total=total,
        start=start,
    )


def atom_entry(paper: Paper) -> str:
    """One `<entry>` exactly as the arXiv API writes it."""
    vid = paper.versioned_id
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{vid}</id>",
        f"    <title>{escape(_wrapped(paper.title))}</title>",
        f"    <updated>{_stamp(paper.updated)}</updated>",
        f'    <link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{vid}" rel="related" type="application/pdf" title="pdf"/>',
        f"    <summary>  {escape(_wrapped(paper.abstract))}\n</summary>",
    ]
    lines += [
        f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
        for c in paper.categories
    ]
    lines.append(f"    <published>{_stamp(paper.published)}</published>")
    if paper.comment:
        lines.append(f"    <arxiv:comment>{escape(paper.comment)}</arxiv:comment>")
    lines.append(f"    <arxiv:primary_category term={quoteattr(paper.primary_category)}/>")
    lines += [f"    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in paper.authors]
    if paper.doi:
        lines.append(f"    <arxiv:doi>{escape(paper.doi)}</arxiv:doi>")
        doi_link = quoteattr(f"https://doi.org/{paper.doi}")
        lines.append(f'    <link title="doi" href={doi_link} rel="related"/>')
    if paper.journal_ref:
        lines.append(f"    <arxiv:journal_ref>{escape(paper.journal_ref)}</arxiv:journal_ref>")
    lines.append("  </entry>")
    return "\n".join(lines) + "\n"


def atom_feed(papers: Sequence[Paper], *, query: str, total: int, start: int, per_page: int) -> str:
    """A page of API results with opensearch totals."""
    body = "".join(atom_entry(p) for p in papers)
    return _head(query, per_page, total, start) + body + "</feed>\n"


def atom_error(message: str, *, query: str) -> str:
    """The error feed the API sends with HTTP 400 (e.g. a malformed id)."""
    anchor = "http://arxiv.org/api/errors#" + re.sub(r"\W+", "_", message)
    entry = f"""  <entry>
    <id>{escape(anchor)}</id>
    <title>Error</title>
    <summary>{escape(message)}</summary>
    <updated>{_stamp(datetime.now(UTC))}</updated>
    <link href={quoteattr(anchor)} rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
"""
    return _head(query, 1, 1, 0) + entry + "</feed>\n"


def valid_id(arxiv_id: str) -> bool:
    """Whether the API would accept this id in `id_list`."""
    return bool(NEW_ID.match(arxiv_id) or OLD_ID.match(arxiv_id))


def rss_feed(
    categories: Sequence[str],
    items: Sequence[tuple[Paper, str]],
    day: date,
    *,
    built: datetime | None = None,
    affiliations: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """The daily RSS listing in arXiv's current format.

    `built` is `lastBuildDate`: feedgen stamps the time of serialisation, so a feed that still
    shows yesterday carries the same `lastBuildDate` as one that turned; only `pubDate` (the
    listing's Eastern midnight) tells them apart. `affiliations` (paper id -> author -> text) are
    printed as arxiv-feed's `ArxivEntryExtension.__add_authors` does: `A. One (MIT, CNRS)`.
    """
    midnight = datetime.combine(day, time(0), tzinfo=ARXIV_TZ)
    pub_date = format_datetime(midnight)
    build_date = format_datetime((built or datetime.now(UTC)).astimezone(UTC))
    joined = "+".join(categories)
    out = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">',
        "  <channel>",
        f"    <title>{escape(joined)} updates on arXiv.org</title>",
        f"    <link>http://rss.arxiv.org/rss/{escape(joined)}</link>",
        f"    <description>{escape(joined)} updates on the arXiv.org e-print archive.</description>",
        f'    <atom:link href="http://rss.arxiv.org/rss/{escape(joined)}" rel="self"'
        ' type="application/rss+xml"/>',
        "    <docs>http://www.rssboard.org/rss-specification</docs>",
        "    <language>en-us</language>",
        f"    <lastBuildDate>{build_date}</lastBuildDate>",
        "    <managingEditor>rss-help@arxiv.org</managingEditor>",
        f"    <pubDate>{pub_date}</pubDate>",
        "    <skipDays>",
        "      <day>Saturday</day>",
        "      <day>Sunday</day>",
        "    </skipDays>",
    ]
    for paper, announce_type in items:
        vid = paper.versioned_id
        description = f"arXiv:{vid} Announce Type: {announce_type} \nAbstract: {paper.abstract}"
        out += [
            "    <item>",
            f"      <title>{escape(paper.title)}</title>",
            f"      <link>https://arxiv.org/abs/{paper.arxiv_id}</link>",
            f"      <description>{escape(description)}</description>",
            f'      <guid isPermaLink="false">oai:arXiv.org:{vid}</guid>',
            *(f"      <category>{escape(c)}</category>" for c in paper.categories),
            f"      <pubDate>{pub_date}</pubDate>",
            f"      <arxiv:announce_type>{announce_type}</arxiv:announce_type>",
            "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>",
            *([f"      <arxiv:DOI>{escape(paper.doi)}</arxiv:DOI>"] if paper.doi else []),
            *(
                [f"      <arxiv:journal_reference>{escape(paper.journal_ref)}</arxiv:journal_reference>"]
                if paper.journal_ref
                else []
            ),
            f"      <dc:creator>{escape(_creators(paper, affiliations))}</dc:creator>",
            "    </item>",
        ]
    out += ["  </channel>", "</rss>", ""]
    return "\n".join(out)


def _creators(paper: Paper, affiliations: Mapping[str, Mapping[str, str]] | None) -> str:
    known = (affiliations or {}).get(paper.arxiv_id, {})
    return ", ".join(f"{a} ({known[a]})" if a in known else a for a in paper.authors)


def rss_error(joined: str, message: str, day: date) -> str:
    """The RSS document arxiv-feed sends with HTTP 400 (`Serializer.serialize_error`)."""
    midnight = datetime.combine(day, time(0), tzinfo=ARXIV_TZ)
    return "\n".join(
        [
            "<?xml version='1.0' encoding='UTF-8'?>",
            '<rss xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">',
            "  <channel>",
            f"    <title>Feed error for query: https://rss.arxiv.org/rss/{escape(joined)}</title>",
            f"    <link>https://rss.arxiv.org/rss/{escape(joined)}</link>",
            f"    <description>{escape(message)}</description>",
            "    <language>en-us</language>",
            "    <managingEditor>rss-help.arxiv.org</managingEditor>",
            f"    <pubDate>{format_datetime(midnight)}</pubDate>",
            "  </channel>",
            "</rss>",
            "",
        ]
    )


# A small evaluator for the API's search_query: field:term, "phrases", AND / OR / ANDNOT, ( ).
_TOKEN = re.compile(r'\(|\)|[A-Za-z_]+:\[[^\]]*\]|[A-Za-z_]+:"[^"]*"|"[^"]*"|[^\s()]+')
_RANGE = re.compile(r"\[(\d{8,14}) TO (\d{8,14})\]", re.IGNORECASE)
_OPERATORS = {"AND", "OR", "ANDNOT"}


class QueryError(ValueError):
    """The search_query could not be parsed."""


def matches(query: str, paper: Paper) -> bool:
    """Whether the paper satisfies an arXiv API search_query."""
    tokens = _TOKEN.findall(query)
    if not tokens:
        return False
    result, rest = _expression(tokens, paper)
    if rest:
        raise QueryError(f"unexpected {rest[0]!r} in query")
    return result


def _expression(tokens: list[str], paper: Paper) -> tuple[bool, list[str]]:
    value, tokens = _term(tokens, paper)
    while tokens and tokens[0] != ")":
        operator = tokens[0] if tokens[0] in _OPERATORS else "AND"
        if tokens[0] in _OPERATORS:
            tokens = tokens[1:]
        right, tokens = _term(tokens, paper)
        if operator == "AND":
            value = value and right
        elif operator == "OR":
            value = value or right
        else:
            value = value and not right
    return value, tokens


def _term(tokens: list[str], paper: Paper) -> tuple[bool, list[str]]:
    if not tokens:
        raise QueryError("query ends too early")
    head, rest = tokens[0], tokens[1:]
    if head == "(":
        value, rest = _expression(rest, paper)
        if not rest or rest[0] != ")":
            raise QueryError("unbalanced parentheses")
        return value, rest[1:]
    field, _, word = head.partition(":") if ":" in head else ("all", "", head)
    return _field_matches(field.lower(), word.strip('"').lower(), paper), rest


def _field_matches(field: str, word: str, paper: Paper) -> bool:
    if field in ("submitteddate", "lastupdateddate"):
        return _in_range(paper.published if field == "submitteddate" else paper.updated, word)
    texts = {
        "ti": [paper.title],
        "abs": [paper.abstract],
        "au": [" ".join(paper.authors)],
        "co": [paper.comment or ""],
        "jr": [paper.journal_ref or ""],
        "cat": list(paper.categories),
        "id": [paper.arxiv_id],
    }
    if field == "cat":
        return any(fnmatch.fnmatch(c.lower(), word) for c in paper.categories)
    if field == "id":
        return paper.arxiv_id == re.sub(r"v\d+$", "", word)
    if field == "au":
        word = word.replace("_", " ")
    haystacks = texts.get(field) or [t for values in texts.values() for t in values]
    pattern = re.compile(r"\b" + re.escape(word).replace(r"\*", r"\w*"), re.IGNORECASE)
    return any(pattern.search(text) for text in haystacks)


def _in_range(moment: datetime, bounds: str) -> bool:
    # `[202602110000 TO 202602112359]`: GMT, as many digits as given (YYYYMMDD[HHMM[SS]]).
    match = _RANGE.fullmatch(bounds)
    if match is None:
        raise QueryError(f"bad date range {bounds!r}")
    low, high = match.groups()
    stamp = moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return low <= stamp[: len(low)] and stamp[: len(high)] <= high
