"""The listing as arXiv's feed server really serves it: 400s, a 2,000-item cap, Eastern days, a lagging API.

The fake follows arXiv/arxiv-feed (see tests/fakes/arxiv_listing.py); the bot reads it through
`requests` and feedparser, as in production.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import requests

from bot.infra.arxiv import ArxivSource
from bot.infra.arxiv.feed import split_creators
from tests.fakes.arxiv_papers import make_paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock

SourceFactory = Callable[..., ArxivSource]
THURSDAY = date(2026, 2, 12)


@pytest.fixture
def fake_arxiv() -> Iterator[FakeArxiv]:
    """A fake arXiv with only the papers each test adds."""
    with FakeArxiv([]) as fake:
        yield fake


def _paper(number: int, *categories: str, version: int = 1, **fields: object) -> object:
    return make_paper(
        f"2602.{number:05d}",
        title=f"Paper {number} on {categories[0]}",
        abstract=f"Abstract {number}: a < b & c.",
        categories=categories,
        version=version,
        **fields,
    )


def _add(fake: FakeArxiv, number: int, *categories: str, kind: str = "new", **fields: object) -> str:
    paper = _paper(number, *categories, **fields)
    fake.add_paper(paper, kind)  # type: ignore[arg-type]
    return f"2602.{number:05d}"


def _feed_text(fake: FakeArxiv, categories: str) -> str:
    return requests.get(f"{fake.rss_url}/{categories}", timeout=5).text


# An unknown subject class


def test_the_feed_refuses_the_whole_request_for_one_unknown_class(fake_arxiv: FakeArxiv) -> None:
    _add(fake_arxiv, 1, "cs.LG")
    refused = requests.get(f"{fake_arxiv.rss_url}/cs.LG+cs.ML+math.OC", timeout=5)
    assert refused.status_code == 400
    assert "Bad subject class 'ML'. Valid subject classes for the archive 'cs' are: cs.AI" in refused.text
    assert requests.get(f"{fake_arxiv.rss_url}/math.XY", timeout=5).status_code == 400
    assert requests.get(f"{fake_arxiv.rss_url}/bogus", timeout=5).status_code == 400
    # Archives, retired categories arXiv still knows, and any case of a class are accepted.
    for fine in ("math", "chao-dyn", "cs.lg", "physics.comp-ph+hep-th"):
        assert requests.get(f"{fake_arxiv.rss_url}/{fine}", timeout=5).status_code == 200


async def test_categories_arxiv_refuses_are_left_out_and_the_rest_is_read(
    source: ArxivSource, fake_arxiv: FakeArxiv
) -> None:
    learning = _add(fake_arxiv, 1, "cs.LG")
    optimisation = _add(fake_arxiv, 2, "math.OC")
    fake_arxiv.retired.add("math.OC")  # it was a class when the channel subscribed

    listing = await source.fetch_listing(["cs.LG", "cs.ML", "math.OC", "stat.ML"])

    assert set(listing.refused) == {"cs.ML", "math.OC"}
    assert "Bad subject class 'ML'" in listing.refused["cs.ML"]
    assert listing.ids() == [learning] and optimisation not in listing.ids()
    # arXiv names the first bad class: one more request for each, no halving.
    paths = [r.path for r in fake_arxiv.requests_to("/rss")]
    assert paths == ["/rss/cs.LG+cs.ML+math.OC+stat.ML", "/rss/cs.LG+math.OC+stat.ML", "/rss/cs.LG+stat.ML"]


async def test_a_refusal_that_names_no_category_is_narrowed_by_halving(
    source: ArxivSource, fake_arxiv: FakeArxiv
) -> None:
    ids = [_add(fake_arxiv, n, category) for n, category in enumerate(("cs.LG", "math.OC", "stat.ML"), 1)]
    fake_arxiv.fail_next(1, status=400, path="/rss")  # a 400 page from something in between

    listing = await source.fetch_listing(["cs.LG", "math.OC", "stat.ML"])

    assert sorted(listing.ids()) == ids and not listing.refused
    assert [r.path for r in fake_arxiv.requests_to("/rss")] == [
        "/rss/cs.LG+math.OC+stat.ML",
        "/rss/cs.LG",
        "/rss/math.OC+stat.ML",
    ]


async def test_classes_of_an_archive_asked_for_whole_are_not_asked_again(
    source: ArxivSource, fake_arxiv: FakeArxiv
) -> None:
    optimisation = _add(fake_arxiv, 1, "math.OC")
    listing = await source.fetch_listing(["math.OC", "cs.LG", "math", "math.PR"])
    assert listing.ids() == [optimisation]
    assert [r.path for r in fake_arxiv.requests_to("/rss")] == ["/rss/cs.LG+math"]


# The 2,000-item cap


def test_the_feed_cuts_new_papers_first_at_its_cap(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.max_items = 4
    for n in range(1, 4):
        _add(fake_arxiv, n, "cs.LG", kind="replace", version=2)
    for n in range(11, 14):
        _add(fake_arxiv, n, "cs.LG")
    body = requests.get(f"{fake_arxiv.rss_url}/cs.LG", timeout=5).text
    listed = re.findall(r"oai:arXiv.org:(\S+?)v\d+</guid>\s.*?<arxiv:announce_type>(\S+)<", body, re.DOTALL)
    # Three replacements survive the cut; of the new papers only the highest id, printed first.
    assert listed == [
        ("2602.00013", "new"),
        ("2602.00001", "replace"),
        ("2602.00002", "replace"),
        ("2602.00003", "replace"),
    ]


async def test_a_full_listing_is_read_in_parts_so_no_new_paper_is_lost(
    make_source: SourceFactory, fake_arxiv: FakeArxiv, caplog: pytest.LogCaptureFixture
) -> None:
    fake_arxiv.max_items = 5
    source = make_source(listing_cap=5)
    _add(fake_arxiv, 1, "cs.LG", kind="replace", version=2)
    _add(fake_arxiv, 2, "math.OC", "cs.LG", kind="replace", version=3)
    new = [_add(fake_arxiv, 10 + n, category) for n, category in enumerate(("cs.LG", "math.OC", "stat.ML"))]
    cross = _add(fake_arxiv, 20, "math.OC", "stat.ML")

    union = _feed_text(fake_arxiv, "cs.LG+math.OC+stat.ML")
    assert union.count("<item>") == 5 and new[0] not in union  # arXiv's cut took a new paper

    with caplog.at_level(logging.INFO):
        listing = await source.fetch_listing(["cs.LG", "math.OC", "stat.ML"])

    assert sorted(listing.ids(("new",))) == sorted([*new, cross])
    assert listing.versions()["2602.00002"] == 3 and not listing.full
    paths = [r.path for r in fake_arxiv.requests_to("/rss")][1:]
    assert paths[0] == "/rss/cs.LG+math.OC+stat.ML"
    assert sorted(paths[1:]) == ["/rss/cs.LG", "/rss/math.OC", "/rss/stat.ML"]
    assert listing.requests == 4  # the full answer, then one request per part
    assert "is full (5 items): reading it in smaller parts" in caplog.text


# Eastern days


def _thursday_eastern(hour: int, minute: int = 0) -> datetime:
    # February: US Eastern is UTC-5.
    return datetime(2026, 2, 12, hour, minute, tzinfo=UTC) + timedelta(hours=5)


async def test_the_listing_turns_at_midnight_us_eastern(source: ArxivSource, fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.clock = clock = FakeClock(wall_start=_thursday_eastern(0) - timedelta(minutes=1))
    yesterday = _add(fake_arxiv, 1, "cs.LG")
    fake_arxiv.add_paper(_paper(2, "cs.LG"), day=THURSDAY)  # type: ignore[arg-type]

    before = await source.fetch_listing(["cs.LG"])
    clock.advance(120)
    after = await source.fetch_listing(["cs.LG"])

    assert before.day == THURSDAY - timedelta(days=1) and before.ids() == [yesterday]
    assert after.day == THURSDAY and sorted(after.ids()) == [yesterday, "2602.00002"]


async def test_a_feed_that_has_not_turned_shows_yesterday_with_the_same_build_date(
    make_source: SourceFactory, fake_arxiv: FakeArxiv
) -> None:
    fake_arxiv.clock, fake_arxiv.max_items = FakeClock(wall_start=_thursday_eastern(0, 30)), 3
    for n in (1, 2, 3):
        fake_arxiv.add_paper(_paper(n, "cs.LG"), day=THURSDAY - timedelta(days=1))  # type: ignore[arg-type]
    for n, category in ((4, "cs.LG"), (5, "cs.LG"), (6, "math.OC")):
        fake_arxiv.add_paper(_paper(n, category), day=THURSDAY)  # type: ignore[arg-type]
    fake_arxiv.behind.add("math.OC")
    stale, fresh = _feed_text(fake_arxiv, "math.OC"), _feed_text(fake_arxiv, "cs.LG")
    assert "<pubDate>Wed, 11 Feb 2026 00:00:00 -0500</pubDate>" in stale
    assert "<pubDate>Thu, 12 Feb 2026 00:00:00 -0500</pubDate>" in fresh
    build_date = re.compile(r"<lastBuildDate>(.*?)</lastBuildDate>")
    assert build_date.findall(stale) == build_date.findall(fresh)

    # Yesterday's union was full, so it is read in parts; the lagging part keeps its older day.
    listing = await make_source(listing_cap=3).fetch_listing(["cs.LG", "math.OC"])
    assert listing.day == THURSDAY and listing.earliest_day == THURSDAY - timedelta(days=1)
    assert sorted(listing.ids()) == ["2602.00004", "2602.00005"]


# The API lags the feed


def test_authors_lose_their_affiliations() -> None:
    creators = "A. One (MIT, CNRS), Bea Two, C. Three (Dept. of Maths (Pisa)),  Dee Four "
    assert split_creators(creators) == ("A. One", "Bea Two", "C. Three", "Dee Four")
    assert split_creators("") == ()


async def test_a_paper_the_api_lacks_is_built_from_its_listing_item(
    source: ArxivSource, fake_arxiv: FakeArxiv
) -> None:
    known = _add(fake_arxiv, 1, "cs.LG")
    late = _add(
        fake_arxiv, 2, "stat.ML", "cs.LG", authors=("Ada Lovelace", "Bo Li"), doi="10.1000/x.2", version=3
    )
    fake_arxiv.api_lacks.add(late)
    fake_arxiv.affiliations[late] = {"Ada Lovelace": "Lovelace Institute, London"}

    listing, papers = await source.fetch_new_papers(["cs.LG", "stat.ML"])

    by_id = {p.arxiv_id: p for p in papers}
    assert by_id[known].complete
    built = by_id[late]
    assert not built.complete
    assert (built.title, built.version, built.doi) == ("Paper 2 on stat.ML", 3, "10.1000/x.2")
    assert built.abstract == "Abstract 2: a < b & c."  # the feed's HTML escaping undone
    assert built.authors == ("Ada Lovelace", "Bo Li")
    assert (built.categories, built.primary_category) == (("stat.ML", "cs.LG"), "stat.ML")
    assert built.announced == listing.day
