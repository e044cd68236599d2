"""What the digest needs of a channel's learned ranking: candidates by meaning, and its own order.

The digest's word matching stays in the services; meaning (embeddings) and each channel's model
live behind this port, so the services never import numpy or the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.domain.paper import Paper
from bot.domain.quality import Quality
from bot.domain.topic_near import Nearness
from bot.domain.topics import Topic
from bot.domain.votes import RankingStatus


@dataclass(frozen=True, slots=True)
class RankedPaper:
    """A paper a channel's model chose: its chance of a 👍, and why it is there.

    `reason` is empty when the channel's words matched it (the item shows those words), else
    `like <title of a liked paper>` or `close to ~<topic>`.
    """

    arxiv_id: str
    chance: float
    reason: str = ""


class Relevance(Protocol):
    """Meaning and each channel's model: prepared once per run, read for every channel."""

    async def prepare(self, papers: Mapping[str, Paper], channels: Mapping[int, Sequence[Topic]]) -> None:
        """Ready the candidates' vectors and, for each channel (by primary key), its `like:` papers,
        `~` texts and a model learned from its votes. Hold the builder's cache lock."""
        ...

    async def embed_ahead(self, ids: Sequence[str]) -> None:
        """Compute the vectors of these papers now (a new listing), so the digests find them ready."""
        ...

    def near(self, topic: Topic, papers: Mapping[str, Paper]) -> Mapping[str, Nearness]:
        """The papers (among those given) close to a `like:` or `~` topic, after `prepare`."""
        ...

    def ranks(self, pk: int) -> bool:
        """Whether the channel has a model, after `prepare`: then the builder gathers its candidates."""
        ...

    def rank(
        self,
        pk: int,
        matched: Mapping[str, float],
        excluded: AbstractSet[str],
        cap: int,
        quality: Quality,
        *,
        since: date | None = None,
        scope: frozenset[str] | None = None,
    ) -> tuple[list[RankedPaper], int] | None:
        """The channel's own choice among the run's candidates, best first (at most `cap`), and how
        many more it would show; None while it has no model (today's order). The candidates: its
        word matches (`matched`) and the papers its model may add, announced after `since`, in
        `scope`'s categories or archives if given, never `excluded`."""
        ...

    async def status(self, pk: int, topics: Sequence[Topic]) -> RankingStatus:
        """Where the channel's ranking stands (learning it if need be)."""
        ...
