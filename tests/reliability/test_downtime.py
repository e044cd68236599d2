"""The bot was stopped over a digest time: on start the missed digest arrives once, and only once.

Real `paperboy run` processes on the real clock: each channel's digest time is set a few minutes
in the past with its last digest days ago, as after a weekend with the server switched off.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from tests.fakes.arxiv_papers import default_papers
from tests.fakes.arxiv_server import FakeArxiv
from tests.reliability.conftest import PAPERS, Deployment

CATCHING_UP = f"catching up on the missed digest of {PAPERS.key}"


async def test_a_digest_time_passed_while_stopped_brings_that_digest_once(deployment: Deployment) -> None:
    due = (await deployment.prepare([PAPERS], last_digest=timedelta(days=1)))[PAPERS.channel_id]
    first = await deployment.run_until_digest_done()
    assert CATCHING_UP in first.log
    assert len(deployment.headers()) == 1
    assert deployment.items() == Counter(due)

    second = await deployment.start()  # started again the same day: nothing is missed any more
    await second.wait_for_log(r"scheduler started with 2 jobs")  # the digest tick and the listing's ingest
    assert await second.stop() == 0  # a catch-up would finish its posts before the process exits
    assert "catching up" not in second.log
    assert len(deployment.headers()) == 1
    assert deployment.items() == Counter(due)


async def test_several_missed_days_become_one_digest(deployment: Deployment, today_arxiv: FakeArxiv) -> None:
    today = datetime.now(UTC).date()
    papers = default_papers()
    # Two days ago a listing with half of the papers was read; the bot then stopped for days.
    for n, (paper, kind) in enumerate(papers):
        today_arxiv.add_paper(paper, kind if n % 2 else None)
    today_arxiv.listing_day = today - timedelta(days=2)
    async with deployment.services() as services:
        await services.catalog.refresh(["cs.LG"], force=True)
        for paper, kind in papers:
            today_arxiv.add_paper(paper, kind)
        today_arxiv.listing_day = today
        await services.catalog.refresh(["cs.LG"], force=True)

    prepared = await deployment.prepare(
        [PAPERS], last_digest=timedelta(days=4), covered_through=today - timedelta(days=4), max_papers=10
    )
    due = prepared[PAPERS.channel_id]
    async with deployment.services() as services:
        days = {p.announced for p in (await services.repository.papers(due)).values()}
    assert len(days) == 2  # the due papers were announced on different days

    process = await deployment.run_until_digest_done()
    assert process.log.count(CATCHING_UP) == 1
    assert len(deployment.headers()) == 1
    assert deployment.items() == Counter(due)
