"""ArxivSource against the fake arXiv: look-ups, searches, listings, faults and retries."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date

import pytest

from bot.infra.arxiv import (
    ArxivRejected,
    ArxivSource,
    ArxivUnavailable,
    Listing,
    ListingEntry,
    ListingUnreadable,
    parse_listing,
)
from tests.fakes.arxiv_papers import (
    CROSS_LIST_ID,
    LATEX_ID,
    MENTIONS_ID,
    OLD_STYLE_ID,
    REPLACED_ID,
    UNICODE_ID,
)
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.fixtures.seed_papers import SEED_ANNOUNCED, digest_seed_papers

SourceFactory = Callable[..., ArxivSource]


# Look-ups and searches


async def test_fetch_papers_round_trips_the_seed_metadata(source: ArxivSource) -> None:
    seed = digest_seed_papers()[0]
    [paper] = await source.fetch_papers([seed.arxiv_id])
    assert paper.arxiv_id == seed.arxiv_id and paper.version == 1
    assert paper.title == seed.title
    assert paper.abstract == " ".join(seed.abstract.split())
    assert paper.authors == seed.authors
    assert paper.categories == seed.categories and paper.primary_category == "cs.LG"
    assert paper.published == seed.published and paper.published.tzinfo is not None


async def test_fetch_papers_takes_versions_old_style_ids_and_keeps_order(
    source: ArxivSource, fake_arxiv: FakeArxiv
) -> None:
    papers = await source.fetch_papers([f"{REPLACED_ID}v1", OLD_STYLE_ID, LATEX_ID, LATEX_ID])
    assert [p.arxiv_id for p in papers] == [REPLACED_ID, OLD_STYLE_ID, LATEX_ID]
    assert papers[0].version == 2  # versions are stripped: we want the latest
    assert papers[1].journal_ref == "Phys. Lett. B 999 (1999) 1-10"
    assert papers[2].title == r"Convergence of $\alpha$-stable SGD"
    [request] = fake_arxiv.requests
    assert request.query["id_list"] == f"{REPLACED_ID},{OLD_STYLE_ID},{LATEX_ID}"


async def test_optional_fields_and_unicode_survive(source: ArxivSource) -> None:
    cross, uni, mentions = await source.fetch_papers([CROSS_LIST_ID, UNICODE_ID, MENTIONS_ID])
    assert (cross.comment, cross.doi) == ("12 pages, 3 figures", "10.1000/fake.90001")
    assert uni.title == "Schrödinger bridges and Γ-convergence — a naïve view"
    assert uni.authors == ("Zoë Ångström", "Łukasz Żółw")
    assert "<!channel>" in mentions.abstract and "@everyone" in mentions.abstract


async def test_unknown_ids_are_simply_missing(source: ArxivSource, fake_arxiv: FakeArxiv) -> None:
    papers = await source.fetch_papers(["2602.99999", LATEX_ID])
    assert [p.arxiv_id for p in papers] == [LATEX_ID]
    assert len(fake_arxiv.requests) == 1


async def test_all_unknown_ids_give_nothing_after_one_retry(
    source: ArxivSource, fake_arxiv: FakeArxiv
) -> None:
    assert await source.fetch_papers(["2602.99999", "2602.99998"]) == []
    assert len(fake_arxiv.requests) == 2  # the empty answer might have been arXiv's glitch


async def test_lookups_are_batched_500_ids_a_request(source: ArxivSource, fake_arxiv: FakeArxiv) -> None:
    unknown = [f"2602.{n:05d}" for n in range(400)]
    ids = unknown + [f"2611.{20001 + n:05d}" for n in range(119)]
    papers = await source.fetch_papers(ids)
    assert len(papers) == 119
    assert [len(r.query["id_list"].split(",")) for r in fake_arxiv.requests] == [500, 19]


async def test_search_is_newest_first(source: ArxivSource, fake_arxiv: FakeArxiv) -> None:
    papers = await source.search("cat:math.OC", max_results=10)
    assert [p.arxiv_id for p in papers] == [
        digest_seed_papers()[0].arxiv_id,
        CROSS_LIST_ID,
        LATEX_ID,
    ]
    assert fake_arxiv.requests[0].query["sortBy"] == "submittedDate"


async def test_search_understands_fields_and_operators(source: ArxivSource) -> None:
    papers = await source.search('ti:bilevel AND (au:optima OR abs:"never there")')
    assert [p.arxiv_id for p in papers] == [CROSS_LIST_ID]


async def test_search_understands_submission_date_ranges(source: ArxivSource) -> None:
    query = "(cat:math.* OR cat:stat.ML) AND submittedDate:[202602111500 TO 202602111800]"
    papers = await source.search(query, max_results=2000)
    assert [p.arxiv_id for p in papers] == [CROSS_LIST_ID, UNICODE_ID]


async def test_search_pages_by_opensearch_totals(make_source: SourceFactory, fake_arxiv: FakeArxiv) -> None:
    source = make_source(page_size=2)
    papers = await source.search("cat:stat.ML", max_results=10)
    assert len(papers) == 3
    pages = [(r.query["start"], r.query["max_results"]) for r in fake_arxiv.requests]
    assert pages == [("0", "2"), ("2", "2")]  # totalResults 3: no third request


# The daily listing


async def test_listing_reports_announce_types(source: ArxivSource, fake_arxiv: FakeArxiv) -> None:
    listing = await source.fetch_listing(["cs.LG"])
    types = {e.arxiv_id: e.announce_type for e in listing.entries}
    assert listing.day == SEED_ANNOUNCED and not listing.skipped
    assert types[CROSS_LIST_ID] == "cross" and types[REPLACED_ID] == "replace"
    assert types[digest_seed_papers()[2].arxiv_id] == "new"
    assert UNICODE_ID not in types and OLD_STYLE_ID not in types
    replaced = next(e for e in listing.entries if e.arxiv_id == REPLACED_ID)
    assert replaced.version == 2 and replaced.categories == ("cs.LG",)
    assert fake_arxiv.requests[0].path == "/rss/cs.LG"


async def test_new_papers_keep_new_and_cross_with_the_announcement_day(
    source: ArxivSource, fake_arxiv: FakeArxiv
) -> None:
    listing, papers = await source.fetch_new_papers(["cs.LG", "stat.ML"])
    ids = [p.arxiv_id for p in papers]
    assert fake_arxiv.requests[0].path == "/rss/cs.LG+stat.ML"
    assert CROSS_LIST_ID in ids and UNICODE_ID in ids and LATEX_ID in ids
    assert REPLACED_ID not in ids and OLD_STYLE_ID not in ids
    assert ids == listing.ids(("new", "cross"))
    assert {p.announced for p in papers} == {SEED_ANNOUNCED}
    assert len(fake_arxiv.requests) == 2  # one listing, one look-up


async def test_weekend_listing_is_skipped_without_lookups(source: ArxivSource, fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.weekend = True
    listing, papers = await source.fetch_new_papers(["cs.LG"])
    assert listing.skipped and listing.entries == () and papers == []
    assert listing.day is not None and listing.day.strftime("%A") == "Saturday"
    assert len(fake_arxiv.requests) == 1


def test_listing_parser_handles_holidays_and_missing_guids() -> None:
    holiday = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
    <pubDate>Wed, 25 Dec 2024 00:00:00 -0500</pubDate>
    <skipDays><day>Saturday</day><day>Sunday</day></skipDays></channel></rss>"""
    assert parse_listing(holiday) == Listing(day=date(2024, 12, 25), entries=(), skipped=False)
    no_guid = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item>
    <title>t</title><description>arXiv:hep-th/9901001v3 Announce Type: replace-cross
    Abstract: &lt;!channel&gt; hi</description><category>hep-th</category></item>
    </channel></rss>"""
    [entry] = parse_listing(no_guid).entries
    assert entry == ListingEntry("hep-th/9901001", 3, "replace-cross", ("hep-th",))
    with pytest.raises(ListingUnreadable):
        parse_listing(b"<html><body>Service temporarily unavailable</body></html>")


# Faults and retries


@pytest.mark.parametrize("status", [503, 502, 429])
async def test_transient_errors_are_retried_with_backoff(
    source: ArxivSource, fake_arxiv: FakeArxiv, clock: FakeClock, status: int
) -> None:
    fake_arxiv.fail_next(2, status=status)
    [paper] = await source.fetch_papers([LATEX_ID])
    assert paper.arxiv_id == LATEX_ID
    assert len(fake_arxiv.requests) == 3
    assert clock.sleeps == [3.0, 6.0]  # backoff; the gate finds 3 s already passed


async def test_persistent_503_gives_a_friendly_error_and_logs_each_retry(
    source: ArxivSource, fake_arxiv: FakeArxiv, caplog: pytest.LogCaptureFixture
) -> None:
    fake_arxiv.fail_next(10)
    with caplog.at_level(logging.WARNING), pytest.raises(ArxivUnavailable) as raised:
        await source.search("all:convergence")
    assert str(raised.value) == "arXiv did not answer (HTTP 503) after 5 tries"
    assert len(fake_arxiv.requests) == 5
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4
    assert all("/api/query" in w and "HTTP 503" in w for w in warnings)


async def test_listing_failures_are_retried_too(source: ArxivSource, fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.fail_next(1, path="/rss")
    listing = await source.fetch_listing(["math.OC"])
    assert {e.arxiv_id for e in listing.entries} >= {CROSS_LIST_ID, LATEX_ID}
    assert len(fake_arxiv.requests) == 2


async def test_empty_first_page_is_retried(source: ArxivSource, fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.empty_next(1)
    assert [p.arxiv_id for p in await source.fetch_papers([UNICODE_ID])] == [UNICODE_ID]
    assert len(fake_arxiv.requests) == 2


async def test_listed_papers_that_stay_empty_are_taken_from_the_listing_after_one_more_try(
    source: ArxivSource, fake_arxiv: FakeArxiv, clock: FakeClock
) -> None:
    # arXiv's API lags its feed: an empty answer for listed ids may be just that, not an outage.
    fake_arxiv.empty_next(5, path="/api")
    listing, papers = await source.fetch_new_papers(["stat.ML"])
    assert [p.arxiv_id for p in papers] == listing.ids() and papers
    assert not any(p.complete for p in papers)
    assert len(fake_arxiv.requests_to("/api")) == 2  # once more, for arXiv's sporadic empty page
    assert sum(clock.sleeps) < 10  # seconds, not the hours a digest used to wait


async def test_stalled_response_times_out_and_is_retried(
    make_source: SourceFactory, fake_arxiv: FakeArxiv
) -> None:
    source = make_source(timeout=0.3)
    fake_arxiv.stall_next(1, seconds=5)
    started = time.monotonic()
    [paper] = await source.fetch_papers([LATEX_ID])
    assert paper.arxiv_id == LATEX_ID
    assert time.monotonic() - started < 2
    assert len(fake_arxiv.requests) == 2


async def test_connection_refused_is_unavailable(make_source: SourceFactory) -> None:
    with FakeArxiv([]) as gone:
        url = gone.api_url
    source = make_source(retries=1)
    source.api_url = url
    with pytest.raises(ArxivUnavailable, match=r"connection failed\) after 2 tries"):
        await source.fetch_papers([LATEX_ID])


async def test_malformed_id_is_rejected_at_once(source: ArxivSource, fake_arxiv: FakeArxiv) -> None:
    with pytest.raises(ArxivRejected) as raised:
        await source.fetch_papers(["2602.1x"])
    assert str(raised.value) == "arXiv rejected the look-up of 2602.1x (HTTP 400)"
    assert len(fake_arxiv.requests) == 1
