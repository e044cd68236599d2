"""The vote store on SQLite and PostgreSQL: one changeable vote per member, weak under real, figures."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.domain.channel import ChannelRef
from bot.domain.votes import ChannelVote, VoteChange, VoteFigures
from bot.infra.storage.delivery_batches import DeliveryBatches
from bot.infra.storage.repository import Repository
from bot.infra.storage.votes import Votes
from tests.fakes.clock import FakeClock
from tests.infra.storage.conftest import MakeRepository

GENERAL = ChannelRef("slack", "T1", "C1", "general")
RANDOM = ChannelRef("slack", "T1", "C2", "random")
A, B, C = "2602.10905", "2602.20000", "2602.30000"


async def pks(repo: Repository, *refs: ChannelRef) -> list[int]:
    """The channels' primary keys (created if new), as the digest run knows them."""
    for ref in refs:
        await repo.ensure_channel(ref)
    return [stored.pk for stored in await DeliveryBatches(repo.engine).channels(list(refs))]


async def test_one_changeable_vote_per_member_paper_and_channel(repo: Repository, clock: FakeClock) -> None:
    general, random = await pks(repo, GENERAL, RANDOM)
    votes = Votes(repo.engine, clock)
    assert await votes.record(GENERAL, A, "U1", up=True) is VoteChange.NEW
    assert await votes.record(GENERAL, A, "U1", up=True) is VoteChange.SAME
    assert await votes.record(GENERAL, A, "U1", up=False) is VoteChange.CHANGED
    assert await votes.record(GENERAL, A, "U2", up=True) is VoteChange.NEW
    assert await votes.record(RANDOM, A, "U1", up=True) is VoteChange.NEW

    found = await votes.channel_votes([general, random, 999])
    assert found == {
        general: [ChannelVote(A, -1, weak=False), ChannelVote(A, 1, weak=False)],
        random: [ChannelVote(A, 1, weak=False)],
    }


async def test_a_weak_thumbs_up_never_replaces_a_real_vote_and_a_real_one_replaces_it(
    repo: Repository, clock: FakeClock
) -> None:
    (general,) = await pks(repo, GENERAL)
    votes = Votes(repo.engine, clock)
    assert await votes.record(GENERAL, A, "U1", up=False) is VoteChange.NEW
    assert await votes.record(GENERAL, A, "U1", up=True, weak=True) is VoteChange.KEPT
    assert await votes.record(GENERAL, B, "U1", up=True, weak=True) is VoteChange.NEW
    assert await votes.record(GENERAL, B, "U1", up=True, weak=True) is VoteChange.SAME
    assert await votes.record(GENERAL, B, "U1", up=False) is VoteChange.NEW  # the first real vote
    assert (await votes.channel_votes([general]))[general] == [
        ChannelVote(A, -1, weak=False),
        ChannelVote(B, -1, weak=False),
    ]


async def test_presses_at_the_same_moment_leave_one_vote(
    make_repository: MakeRepository, clock: FakeClock
) -> None:
    one, two = await make_repository(), await make_repository()
    (general,) = await pks(one, GENERAL)
    first, second = Votes(one.engine, clock), Votes(two.engine, clock)
    await asyncio.gather(
        first.record(GENERAL, A, "U1", up=True),
        second.record(GENERAL, A, "U1", up=True, weak=True),
        second.record(GENERAL, A, "U1", up=True),
    )
    assert (await first.channel_votes([general]))[general] == [ChannelVote(A, 1, weak=False)]


async def test_figures_count_liked_items_over_thirty_days_and_weak_votes_apart(
    repo: Repository, clock: FakeClock
) -> None:
    await pks(repo, GENERAL, RANDOM)
    votes = Votes(repo.engine, clock)
    await votes.record(GENERAL, C, "U1", up=True)  # 40 days before the figures: not in the share
    clock.advance(timedelta(days=40).total_seconds())
    await votes.record(GENERAL, A, "U1", up=True)
    await votes.record(GENERAL, A, "U2", up=True)
    await votes.record(GENERAL, A, "U3", up=False)  # two 👍 to one 👎: a liked item
    await votes.record(GENERAL, B, "U1", up=True)
    await votes.record(GENERAL, B, "U2", up=False)  # a tie is no liked item
    await votes.record(GENERAL, C, "U2", up=True, weak=True)
    since = clock.now() - timedelta(days=30)

    figures = await votes.figures(GENERAL, since)
    assert figures == VoteFigures(voted_items=2, liked_items=1, votes=6, weak_votes=1)
    assert figures.share_up == 0.5
    assert figures.describe() == (
        "50% 👍 of 2 voted items in the last 30 days; 6 votes from members, "
        "plus 1 weak 👍 (Explain or a thread question)"
    )
    assert await votes.figures(RANDOM, since) == VoteFigures()
    assert await votes.figures(ChannelRef("slack", "T9", "C9"), since) == VoteFigures()
    assert [ref.channel_id for ref, _ in await votes.all_figures(since)] == ["C1"]
