"""Faults outside, through the real adapters in a real process: arXiv answering 503 at digest time,
and one Slack channel that is gone while the others are fine.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.domain.arxiv_day import arxiv_midnight
from bot.domain.channel import ChannelRef
from tests.reliability.conftest import PAPERS, Deployment, is_header

OTHER = ChannelRef("slack", PAPERS.workspace, "C0OTHER", "other")
GONE = ChannelRef("slack", PAPERS.workspace, "C0GONE", "gone")


async def test_arxiv_down_at_digest_time_the_digest_waits_says_it_is_late_then_arrives(
    deployment: Deployment,
) -> None:
    # The stored listing was read before arXiv's day turned, so the digest must read arXiv again,
    # which fails twice.
    now = datetime.now(UTC)
    age = now - arxiv_midnight(now) + timedelta(hours=1)
    due = (await deployment.prepare([PAPERS], listing_age=age))[PAPERS.channel_id]
    read_before = len(deployment.arxiv.requests_to("/rss"))
    deployment.arxiv.fail_next(2, status=503, path="/rss")
    deployment.env.update(
        ARXIV_RETRIES="0", ARXIV_FAILURE_COOLDOWN="0", DIGEST_RETRY_SECONDS="0.1", DIGEST_LATE_AFTER="0"
    )

    process = await deployment.run_until_digest_done()

    assert len(deployment.arxiv.requests_to("/rss")) - read_before == 3  # two refused, one answered
    assert process.log.count("waits for arXiv") == 2
    posts = deployment.slack.posts(PAPERS.channel_id)
    late = [p for p in posts if "late" in p["text"]]
    assert len(late) == 1  # told once, not at every retry
    assert "Today's digest is late: arXiv did not answer (HTTP 503)" in late[0]["text"]
    assert posts.index(late[0]) < posts.index(deployment.headers()[0])
    assert deployment.items() == Counter(due)


async def test_a_channel_that_is_gone_is_paused_with_a_log_line_and_the_others_get_their_digests(
    deployment: Deployment,
) -> None:
    due = await deployment.prepare([PAPERS, GONE, OTHER])
    deployment.slack.fail_channel(GONE.channel_id, "channel_not_found")

    process = await deployment.start()
    for ref in (PAPERS, OTHER):
        await process.wait_for_log(rf"digest run \w+ for {ref.key} posted 5 papers")
    paused = await process.wait_for_log(rf"paused {GONE.key}")
    assert await process.stop() == 0

    assert "can't see this channel" in paused
    assert "channel_not_found" in process.log
    for ref in (PAPERS, OTHER):
        assert deployment.items(ref) == Counter(due[ref.channel_id])
        assert len(deployment.headers(ref)) == 1
    assert not [p for p in deployment.slack.posts(GONE.channel_id) if not is_header(p)]
    async with deployment.services() as services:
        state = await services.repository.get_channel(GONE)
        assert state is not None and state.paused
        assert await services.repository.posted_count(GONE) == 0  # its papers stay due
        assert await services.repository.pending_deliveries(GONE) == []
