"""`Relevance` for the digest: wordllama vectors shared by every channel, one small model a channel.

Each run's candidate papers are embedded once (in a worker thread, so the event loop keeps
answering) and shared by every channel; a channel's model is learned again only when its votes
or its topics change, starting from its previous model. Votes on papers the previous model had
scored are the record `quality high`'s cut is learned from. Nothing is embedded for a run in which
no channel has a model or a `like:`/`~` topic: word-only deployments pay nothing.

Vectors are kept in memory (1 KB a paper, at most `memory` papers) and computed again after a
restart: 3,000 abstracts take about 4 s of CPU, less than reading them from a table would save.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np

from bot.domain.paper import Paper
from bot.domain.quality import Quality
from bot.domain.topic_near import Nearness
from bot.domain.topics import Topic
from bot.domain.votes import UP, ChannelVote, RankingStatus
from bot.ports import PaperStore, RankedPaper, VoteStore
from bot.relevance.channel import (
    WORDS,
    ChannelRanking,
    VotedPaper,
    learn_channel,
    make_seeds,
    rank_candidates,
)
from bot.relevance.embedding import EmbeddingUnavailable, TextEmbedder, load_embedder, paper_text
from bot.relevance.model import Vector
from bot.relevance.ranking import DEFAULT_POLICY, Policy, features

log = logging.getLogger(__name__)

MEANING_CUT = 0.45  # cosine to a `~` topic's text (docs/relevance.md's table)
LIKE_CUT = 0.65  # cosine to a `like:` paper: about 5 papers of a 3,000-paper day, 2 in 3 of its field
NEARNESS_WEIGHT = 4.0  # a close paper scores like a title hit (3.0) and a bit more


@dataclass
class _Learned:
    """A channel's model and what it was learned from, so unchanged channels are not learned again."""

    signature: tuple[object, ...]
    ranking: ChannelRanking | None
    votes: frozenset[tuple[str, int, bool]]
    shown_scores: list[float] = field(default_factory=list)
    shown_liked: list[bool] = field(default_factory=list)


class LearnedRelevance:
    """Meaning from the `wordllama` wheel and each channel's logistic model (`bot.relevance.channel`)."""

    def __init__(
        self, papers: PaperStore, votes: VoteStore, *, policy: Policy = DEFAULT_POLICY, memory: int = 40_000
    ) -> None:
        self._papers = papers
        self._votes = votes
        self._policy = policy
        self._memory = memory
        self._vectors: OrderedDict[str, Vector] = OrderedDict()
        self._titles: dict[str, str] = {}
        self._texts: dict[str, Vector] = {}
        self._channels: dict[int, _Learned] = {}
        self._batch_ids: tuple[str, ...] = ()
        self._row: dict[str, int] = {}
        self._batch = np.zeros((0, 0), np.float32)
        self._embedder: TextEmbedder | None = None
        self._unavailable = False
        self._embedding = asyncio.Lock()

    async def prepare(self, papers: Mapping[str, Paper], channels: Mapping[int, Sequence[Topic]]) -> None:
        """Vectors of the candidates and of what the channels liked; their models, learned anew
        where votes or topics changed. Channels without a model and without `like:`/`~` cost a query."""
        votes = await self._votes.channel_votes(list(channels))
        wanted = {
            pk: topics
            for pk, topics in channels.items()
            if any(t.is_semantic for t in topics)
            or sum(not v.weak for v in votes.get(pk, ())) >= self._policy.min_votes
        }
        if not wanted or (embedder := await self._load()) is None:
            return
        await self._load_batch(papers, embedder)
        needed = {s for topics in wanted.values() for t in topics for s in t.seeds}
        needed |= {v.arxiv_id for pk in wanted for v in votes.get(pk, ())}
        await self._load_papers(needed - self._vectors.keys(), embedder)
        texts = {m for topics in wanted.values() for t in topics for m in t.meanings} - self._texts.keys()
        if texts:
            found = await asyncio.to_thread(embedder.embed, sorted(texts))
            self._texts.update(zip(sorted(texts), found, strict=True))
        for pk, topics in wanted.items():
            self._learn(pk, topics, votes.get(pk, []), embedder)

    async def embed_ahead(self, ids: Sequence[str]) -> None:
        """A new listing's papers, embedded once (they are the next digests' candidates)."""
        if (embedder := await self._load()) is not None:
            await self._load_papers(set(ids) - self._vectors.keys(), embedder)

    def near(self, topic: Topic, papers: Mapping[str, Paper]) -> Mapping[str, Nearness]:
        """The papers close to the topic's `like:` papers (cosine >= 0.65) or `~` texts (>= 0.45)."""
        anchors = [(self._vectors.get(s), LIKE_CUT, f"like:{s}") for s in topic.seeds]
        anchors += [(self._texts.get(m), MEANING_CUT, f'~"{m}"') for m in topic.meanings]
        seeds = set(topic.seeds)  # the example paper itself is known to the channel already
        rows = [(a, i) for a in papers if a not in seeds and (i := self._row.get(a)) is not None]
        found: dict[str, Nearness] = {}
        for vector, cut, label in anchors:
            if vector is None or not rows:
                continue
            similarity = self._batch[[i for _, i in rows]] @ vector
            for (arxiv_id, _), value in zip(rows, similarity, strict=True):
                if value >= cut and (
                    arxiv_id not in found or found[arxiv_id].score < value * NEARNESS_WEIGHT
                ):
                    found[arxiv_id] = Nearness(float(value) * NEARNESS_WEIGHT, label)
        return found

    def ranks(self, pk: int) -> bool:
        """Whether the channel has a model learned from its votes."""
        learned = self._channels.get(pk)
        return learned is not None and learned.ranking is not None

    def rank(
        self,
        pk: int,
        matched: Mapping[str, float],
        allowed: AbstractSet[str],
        cap: int,
        quality: Quality,
    ) -> list[RankedPaper] | None:
        """The channel's model's choice among `allowed` candidates; None while it has no model."""
        learned = self._channels.get(pk)
        if learned is None or learned.ranking is None:
            return None
        ids = [a for a in sorted(allowed) if a in self._row]
        if not ids:
            return []
        vectors = self._batch[[self._row[a] for a in ids]]
        words = {i: matched[a] for i, a in enumerate(ids) if a in matched}
        cut = quality.cut if quality.cut is not None else None
        choices = rank_candidates(
            learned.ranking, vectors, words, cap, [], quality=quality.high, cut=cut, policy=self._policy
        )
        return [
            RankedPaper(ids[c.position], c.score or 0.0, "" if c.reason == WORDS else c.reason)
            for c in choices
        ]

    async def status(self, pk: int, topics: Sequence[Topic]) -> RankingStatus:
        """How many real votes the channel's model learned from, and its `quality high` cut."""
        votes = (await self._votes.channel_votes([pk])).get(pk, [])
        strong = sum(not v.weak for v in votes)
        learned = self._channels.get(pk)
        if strong >= self._policy.min_votes and (embedder := await self._load()) is not None:
            await self._load_papers({v.arxiv_id for v in votes} - self._vectors.keys(), embedder)
            self._learn(pk, topics, votes, embedder)
            learned = self._channels.get(pk)
        ranking = learned.ranking if learned else None
        return RankingStatus(
            votes=strong if ranking else 0,
            needed=self._policy.min_votes,
            quality_cut=ranking.quality_threshold if ranking else None,
        )

    async def _load(self) -> TextEmbedder | None:
        if self._embedder is None and not self._unavailable:
            try:
                self._embedder = await asyncio.to_thread(load_embedder)
            except EmbeddingUnavailable as error:
                self._unavailable = True
                log.error("ranking by votes and meaning is off: %s; digests rank by words", error)
        return self._embedder

    async def _load_batch(self, papers: Mapping[str, Paper], embedder: TextEmbedder) -> None:
        """The candidates' vectors as one matrix (rows in `_row`), embedding the new ones."""
        ids = tuple(papers)
        if ids == self._batch_ids:
            return
        async with self._embedding:
            await self._embed([papers[a] for a in ids if a not in self._vectors], embedder)
        dimensions = embedder.dimensions
        self._batch = np.array([self._vectors[a] for a in ids], np.float32).reshape(len(ids), dimensions)
        self._batch_ids, self._row = ids, {a: i for i, a in enumerate(ids)}

    async def _load_papers(self, ids: AbstractSet[str], embedder: TextEmbedder) -> None:
        """Voted and `like:` papers outside the candidates, read from the catalog and embedded."""
        if ids:
            found = await self._papers.papers(sorted(ids))
            async with self._embedding:  # an ingest's embedding and a digest's never do it twice
                await self._embed([p for a, p in found.items() if a not in self._vectors], embedder)

    async def _embed(self, papers: Sequence[Paper], embedder: TextEmbedder) -> None:
        if papers:
            vectors = await asyncio.to_thread(embedder.embed, [paper_text(p) for p in papers])
            for paper, vector in zip(papers, vectors, strict=True):
                self._vectors[paper.arxiv_id] = vector
                self._titles[paper.arxiv_id] = paper.title
        excess = len(self._vectors) - max(self._memory, len(papers) * 2)
        if excess > 0:  # the oldest go first, never this run's candidates
            for arxiv_id in [a for a in self._vectors if a not in self._row][:excess]:
                del self._vectors[arxiv_id]
                self._titles.pop(arxiv_id, None)

    def _learn(
        self, pk: int, topics: Sequence[Topic], votes: Sequence[ChannelVote], embedder: TextEmbedder
    ) -> None:
        """The channel's model, learned again only when its votes or topics changed."""
        signature = (tuple(t.text for t in topics), tuple(votes))
        previous = self._channels.get(pk)
        if previous is not None and previous.signature == signature:
            return
        kept = [v for v in votes if v.arxiv_id in self._vectors]
        learned = _Learned(signature, None, frozenset((v.arxiv_id, v.value, v.weak) for v in kept))
        if previous is not None:
            learned.shown_scores, learned.shown_liked = previous.shown_scores, previous.shown_liked
            self._score_new_votes(previous, learned, kept)
        liked = [
            (self._titles.get(s, s), self._vectors[s]) for t in topics for s in t.seeds if s in self._vectors
        ]
        words = [t for t in topics if not t.is_semantic]
        seeds = make_seeds(words, [m for t in topics for m in t.meanings], liked, embedder)
        batch = self._batch
        background = batch.mean(axis=0) if len(batch) else np.zeros(embedder.dimensions, np.float32)
        voted = [
            VotedPaper(self._vectors[v.arxiv_id], v.value == UP, v.weak, self._titles.get(v.arxiv_id, ""))
            for v in kept
        ]
        learned.ranking = learn_channel(
            voted,
            seeds,
            background,
            shown_scores=np.array(learned.shown_scores, np.float32),
            shown_liked=np.array(learned.shown_liked, bool),
            previous=previous.ranking if previous else None,
            policy=self._policy,
        )
        self._channels[pk] = learned

    def _score_new_votes(self, previous: _Learned, learned: _Learned, kept: Sequence[ChannelVote]) -> None:
        """The new real votes with the chance the model that chose the papers gave them: the record
        `quality high`'s cut is learned from."""
        if previous.ranking is None:
            return
        fresh = [v for v in kept if not v.weak and (v.arxiv_id, v.value, v.weak) not in previous.votes]
        if fresh:
            vectors = np.array([self._vectors[v.arxiv_id] for v in fresh], np.float32)
            scores = previous.ranking.taste.model.probabilities(features(vectors))
            learned.shown_scores += [float(s) for s in scores]
            learned.shown_liked += [v.value == UP for v in fresh]
