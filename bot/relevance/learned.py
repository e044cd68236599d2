"""`Relevance` for the digest: wordllama vectors shared by every channel, one small model a channel.

Each run's candidate papers are embedded once (in a worker thread, so the event loop keeps
answering) and shared by every channel; a channel's model is learned again only when its votes
or its topics change, starting from its previous model. Votes on papers the previous model had
scored are the record `quality high`'s cut is learned from. `paperboy run` embeds each listing as
it comes in (`embed_ahead`); a digest run embeds only what is still missing, and nothing at all
when no channel has a model or a `like:`/`~` topic.

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
from datetime import date

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from bot.domain.paper import Paper
from bot.domain.quality import Quality
from bot.domain.topic_near import Nearness
from bot.domain.topics import Topic
from bot.domain.votes import UP, ChannelVote, RankingStatus
from bot.ports import PaperStore, RankedPaper, VoteStore
from bot.relevance.batch import EMPTY, CandidateBatch
from bot.relevance.channel import (
    MEANING_THRESHOLD,
    Anchor,
    ChannelRanking,
    Seeds,
    VotedPaper,
    learn_channel,
)
from bot.relevance.embedding import EmbeddingUnavailable, TextEmbedder, load_embedder, paper_text
from bot.relevance.model import Matrix, Vector
from bot.relevance.ranking import DEFAULT_POLICY, Policy, choose, features, seed_text, topic_seed

log = logging.getLogger(__name__)

LIKE_CUT = 0.65  # cosine to a `like:` paper: about 5 papers of a 3,000-paper day, 2 in 3 of its field
NEARNESS_WEIGHT = 4.0  # a close paper scores like a title hit (3.0) and a bit more


@dataclass
class _Learned:
    """A channel's model and what it was learned from, so unchanged channels are not learned again."""

    signature: int  # hashes, not the votes: 10,000 channels' models are kept, and only compared
    ranking: ChannelRanking | None
    votes: NDArray[np.int64]  # each vote's `_key`: 8 bytes a vote where a set would take 80
    shown_scores: list[float] = field(default_factory=list)
    shown_liked: list[bool] = field(default_factory=list)

    def reasons(self, vectors: Matrix) -> list[str]:
        """Why each paper is there when its words did not match: the closest liked paper or `~` topic."""
        ranking = self.ranking
        anchors = (*ranking.liked, *ranking.meanings) if ranking else ()
        if not anchors or not len(vectors):
            return ["close to what this channel liked"] * len(vectors)
        labels = [f"like {a.label}" for a in ranking.liked] if ranking else []
        labels += [f"close to ~{a.label}" for a in ranking.meanings] if ranking else []
        closest = np.argmax(vectors @ np.array([a.vector for a in anchors], np.float32).T, axis=1)
        return [labels[int(i)] for i in closest]


def _key(vote: ChannelVote) -> int:
    return hash((vote.arxiv_id, vote.value, vote.weak))


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
        self._batch = EMPTY
        self._embedder: TextEmbedder | None = None
        self._unavailable = False
        self._embedding = asyncio.Lock()

    async def prepare(self, papers: Mapping[str, Paper], channels: Mapping[int, Sequence[Topic]]) -> None:
        """Vectors of the candidates and of what the channels liked; their models, learned anew
        where votes or topics changed. Channels without a model and without `like:`/`~` cost a query.
        If it fails, no model ranks until the next run (never one on a half-prepared batch)."""
        try:
            await self._prepare(papers, channels)
        except BaseException:
            self._channels.clear()
            raise

    async def _prepare(self, papers: Mapping[str, Paper], channels: Mapping[int, Sequence[Topic]]) -> None:
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
        texts = {m for topics in wanted.values() for t in topics for m in t.meanings}
        texts |= {seed_text(t) for topics in wanted.values() for t in topics if not t.is_semantic}
        if new := sorted(texts - self._texts.keys() - {""}):  # every new text in one call
            self._texts.update(zip(new, await asyncio.to_thread(embedder.embed, new), strict=True))
        for pk, topics in wanted.items():
            self._learn(pk, topics, votes.get(pk, []), embedder)

    async def embed_ahead(self, ids: Sequence[str]) -> None:
        """A new listing's papers, embedded once (they are the next digests' candidates)."""
        if (embedder := await self._load()) is not None:
            await self._load_papers(set(ids) - self._vectors.keys(), embedder)

    def near(self, topic: Topic, papers: Mapping[str, Paper]) -> Mapping[str, Nearness]:
        """The papers close to the topic's `like:` papers (cosine >= 0.65) or `~` texts (>= 0.45)."""
        anchors = [(self._vectors.get(s), LIKE_CUT, f"like:{s}") for s in topic.seeds]
        anchors += [(self._texts.get(m), MEANING_THRESHOLD, f'~"{m}"') for m in topic.meanings]
        others = papers.keys() - set(topic.seeds)  # the example paper itself is known to the channel
        found: dict[str, Nearness] = {}
        for vector, cut, label in anchors:
            if vector is None:
                continue
            for arxiv_id, similarity in self._batch.close_to(vector, others, cut).items():
                score = similarity * NEARNESS_WEIGHT
                if arxiv_id not in found or found[arxiv_id].score < score:
                    found[arxiv_id] = Nearness(score, label)
        return found

    def ranks(self, pk: int) -> bool:
        """Whether the channel has a model learned from its votes."""
        learned = self._channels.get(pk)
        return learned is not None and learned.ranking is not None

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
        """The channel's model's choice among the run's candidates (one matrix product and masks for
        `since`, `scope` and `excluded`); None while it has no model."""
        learned = self._channels.get(pk)
        if learned is None or learned.ranking is None:
            return None
        batch = self._batch
        taste = learned.ranking.taste
        words = {i: score for a, score in matched.items() if (i := batch.row.get(a)) is not None}
        cut = quality.cut
        if cut is None:
            cut = taste.quality_threshold if quality.high else taste.threshold
        p = taste.model.probabilities(batch.features)
        allowed = batch.allowed(since, scope, excluded)
        chosen = choose(p, words, cap, cut, self._policy.expand, allowed)
        reasons = learned.reasons(batch.vectors[chosen.positions])
        return [
            RankedPaper(batch.ids[i], float(p[i]), "" if i in words else reason)
            for i, reason in zip(chosen.positions, reasons, strict=True)
        ], chosen.more

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
            # Thousands of 256-wide models: OpenBLAS's threads only spin on matrices this small
            # (10x the CPU per channel on 2 cores, measured). One thread for the whole process.
            threadpool_limits(1, user_api="blas")
            try:
                self._embedder = await asyncio.to_thread(load_embedder)
            except EmbeddingUnavailable as error:
                self._unavailable = True
                log.error("ranking by votes and meaning is off: %s; digests rank by words", error)
        return self._embedder

    async def _load_batch(self, papers: Mapping[str, Paper], embedder: TextEmbedder) -> None:
        """The candidates as one matrix, embedding the new ones."""
        if tuple(papers) == self._batch.ids:
            return
        async with self._embedding:
            await self._embed([p for a, p in papers.items() if a not in self._vectors], embedder)
        self._batch = CandidateBatch.of(papers, self._vectors, embedder.dimensions)

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
            for arxiv_id in [a for a in self._vectors if a not in self._batch.row][:excess]:
                del self._vectors[arxiv_id]
                self._titles.pop(arxiv_id, None)

    def _learn(
        self, pk: int, topics: Sequence[Topic], votes: Sequence[ChannelVote], embedder: TextEmbedder
    ) -> None:
        """The channel's model, learned again only when its votes or topics changed."""
        signature = hash((tuple(t.text for t in topics), tuple(votes)))
        previous = self._channels.get(pk)
        if previous is not None and previous.signature == signature:
            return
        kept = [v for v in votes if v.arxiv_id in self._vectors]
        learned = _Learned(signature, None, np.fromiter((_key(v) for v in kept), np.int64, len(kept)))
        if previous is not None:
            learned.shown_scores, learned.shown_liked = previous.shown_scores, previous.shown_liked
            self._score_new_votes(previous, learned, kept)
        liked = [
            (self._titles.get(s, s), self._vectors[s]) for t in topics for s in t.seeds if s in self._vectors
        ]
        rows = [self._seed_row(t, embedder) for t in topics if not t.is_semantic]
        seeds = Seeds(
            words=np.vstack(rows) if rows else np.zeros((0, embedder.dimensions), np.float32),
            meanings=tuple(Anchor(self._texts[m], m) for t in topics for m in t.meanings if m in self._texts),
            papers=tuple(Anchor(vector, title) for title, vector in liked),
        )
        # The average paper: of the run's candidates, or of the papers known here (`settings` asked
        # before any digest of this process).
        known = self._batch.vectors if self._batch.ids else np.array(list(self._vectors.values()), np.float32)
        background = known.mean(axis=0) if len(known) else np.zeros(embedder.dimensions, np.float32)
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

    def _seed_row(self, topic: Topic, embedder: TextEmbedder) -> Matrix:
        """The words a channel typed as one vector (embedded in `prepare` with every new text)."""
        found = self._texts.get(seed_text(topic))
        if found is None:
            return topic_seed(embedder, topic)  # no words typed (empty), or `status` before a run
        return found.reshape(1, -1)

    def _score_new_votes(self, previous: _Learned, learned: _Learned, kept: Sequence[ChannelVote]) -> None:
        """The new real votes with the chance the model that chose the papers gave them: the record
        `quality high`'s cut is learned from."""
        if previous.ranking is None:
            return
        known = set(previous.votes.tolist())
        fresh = [v for v in kept if not v.weak and _key(v) not in known]
        if fresh:
            vectors = np.array([self._vectors[v.arxiv_id] for v in fresh], np.float32)
            scores = previous.ranking.taste.model.probabilities(features(vectors))
            learned.shown_scores += [float(s) for s in scores]
            learned.shown_liked += [v.value == UP for v in fresh]
