"""The digest's `Relevance`: a channel's votes give it a model that ranks the run's candidates, and
a run whose preparation fails ranks every channel by its words instead of by half-ready models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pytest

from bot.domain.paper import Paper
from bot.domain.quality import NORMAL
from bot.domain.topics import parse_topic
from bot.domain.votes import ChannelVote
from bot.relevance.learned import LearnedRelevance
from tests.unit.relevance.test_ranking import ALGEBRA, LEARNING, _papers

# Candidates come from the day's listing: each is stamped with its announcement day.
PAPERS = [replace(p, announced=date(2027, 1, 5)) for p in _papers(ALGEBRA + LEARNING, 0)]
TOPICS = [parse_topic("representation")]


class Catalog:
    """The `PaperStore` read the ranking needs: papers by id."""

    async def papers(self, ids: Sequence[str]) -> dict[str, Paper]:
        return {p.arxiv_id: p for p in PAPERS if p.arxiv_id in ids}


class Votes:
    """The `VoteStore` read the ranking needs; `broken` makes it fail as a lost database would."""

    def __init__(self) -> None:
        self.broken = False
        # 👍 on the algebra papers, 👎 on the learning ones: the channel's taste.
        self.votes = [
            ChannelVote(p.arxiv_id, 1 if i < 3 else -1, False) for i, p in enumerate(PAPERS[:3] + PAPERS[-3:])
        ]

    async def channel_votes(self, pks: Sequence[int]) -> dict[int, list[ChannelVote]]:
        if self.broken:
            raise ConnectionError("the database went away")
        return {pk: list(self.votes) for pk in pks if pk == 1}


async def test_votes_give_a_model_and_a_failed_run_leaves_every_channel_to_its_words() -> None:
    votes = Votes()
    relevance = LearnedRelevance(Catalog(), votes)  # type: ignore[arg-type]
    candidates = {p.arxiv_id: p for p in PAPERS}
    await relevance.prepare(candidates, {1: TOPICS, 2: TOPICS})
    assert relevance.ranks(1) and not relevance.ranks(2)  # channel 2 has no votes
    ranked = relevance.rank(1, dict.fromkeys(candidates, 1.0), set(), 3, NORMAL)  # all matched
    assert ranked is not None
    chosen, _ = ranked
    assert chosen and {r.arxiv_id for r in chosen} <= {p.arxiv_id for p in PAPERS[: len(ALGEBRA)]}

    votes.broken = True
    with pytest.raises(ConnectionError):
        await relevance.prepare(candidates, {1: TOPICS})
    assert not relevance.ranks(1), "no model ranks on a run that could not be prepared"
