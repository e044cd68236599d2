"""Rankings the relevance benchmark plugs into the digest's choosing step (`HarnessBuilder`).

- `SvmBaseline`: arxiv-sanity's recipe, written here as the issue asks: tf-idf of title, abstract
  and authors and a linear SVM per channel on its votes, ranking every paper of the day; today's
  words until the votes hold both kinds.
- `PaperboyThroughApi`: Paperboy's ranking through `bot.relevance.channel`, the API the product
  will call, for as long as the product does not rank with votes itself. Each paper is embedded
  once, when its day is first seen (as ingest will), and the average paper is a running mean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.relevance_rankers import tfidf
from bot.domain.paper import Paper
from bot.domain.topics import parse_topic
from bot.relevance.channel import (
    ChannelRanking,
    Seeds,
    VotedPaper,
    embed_papers,
    learn_channel,
    rank_candidates,
)
from bot.relevance.embedding import load_embedder
from bot.relevance.ranking import topic_seed


class SvmBaseline:
    """arxiv-sanity-lite's tf-idf and `LinearSVC(class_weight="balanced")`, one model per channel.

    The vocabulary and idf are fitted once on the whole corpus, as arxiv-sanity fits them on its
    whole database: an advantage to the baseline (it knows words before they appear).
    """

    def __init__(self, corpus: Sequence[Paper], c: float = 0.1) -> None:
        self._x: Any = tfidf(corpus)  # the lab's arxiv-sanity features, one definition
        self._row = {p.arxiv_id: i for i, p in enumerate(corpus)}
        self._c = c
        self._votes: dict[str, tuple[list[int], list[bool]]] = {}

    def choose(
        self,
        channel: str,
        papers: Sequence[Paper],
        matched: Mapping[str, float],
        words: Sequence[str],
        cap: int,
    ) -> list[tuple[str, str]]:
        """The day's papers by SVM score once both kinds of vote exist, else today's words."""
        from sklearn.svm import LinearSVC

        rows, labels = self._votes.get(channel, ([], []))
        if not any(labels) or all(labels):
            return [(a, "words") for a in words[:cap]]
        svm = LinearSVC(class_weight="balanced", C=self._c, max_iter=10_000, tol=1e-6)
        svm.fit(self._x[rows], labels)
        scores = svm.decision_function(self._x[[self._row[p.arxiv_id] for p in papers]])
        best = np.argsort(-scores, kind="stable")[:cap]
        return [(papers[int(i)].arxiv_id, "svm") for i in best]

    def learn(self, channel: str, votes: Sequence[tuple[Paper, bool]]) -> None:
        """Remember the votes; the model is refitted when the next digest is built."""
        rows, labels = self._votes.setdefault(channel, ([], []))
        for paper, liked in votes:
            rows.append(self._row[paper.arxiv_id])
            labels.append(liked)


@dataclass
class _Channel:
    seeds: Seeds
    votes: list[VotedPaper] = field(default_factory=list)
    ranking: ChannelRanking | None = None
    today: dict[str, float] = field(default_factory=dict)  # what the model chose: id -> chance
    shown_scores: list[float] = field(default_factory=list)
    shown_liked: list[bool] = field(default_factory=list)


class PaperboyThroughApi:
    """Paperboy's ranking, `bot.relevance.channel`, called as the product will call it."""

    def __init__(self, topics: Mapping[str, str]) -> None:
        self._embedder = load_embedder()
        self._channels = {
            name: _Channel(Seeds(words=topic_seed(self._embedder, parse_topic(text))))
            for name, text in topics.items()
        }
        self._vectors: dict[str, np.ndarray] = {}
        self._sum = np.zeros(self._embedder.dimensions, np.float64)
        self.embed_seconds = 0.0

    def vectors(self, papers: Sequence[Paper]) -> np.ndarray:
        """Each paper's vector, computed the first time the paper is seen (as at ingest)."""
        new = [p for p in papers if p.arxiv_id not in self._vectors]
        if new:
            for paper, vector in zip(new, embed_papers(new, self._embedder), strict=True):
                self._vectors[paper.arxiv_id] = vector
                self._sum += vector
        return np.array([self._vectors[p.arxiv_id] for p in papers], np.float32).reshape(
            len(papers), self._embedder.dimensions
        )

    def choose(
        self,
        channel: str,
        papers: Sequence[Paper],
        matched: Mapping[str, float],
        words: Sequence[str],
        cap: int,
    ) -> list[tuple[str, str]]:
        """The channel's own ranking of the day, words only until its votes can teach."""
        state = self._channels[channel]
        position = {p.arxiv_id: i for i, p in enumerate(papers)}
        vectors = self.vectors(papers)
        matches = {position[a]: s for a, s in matched.items() if a in position}
        fallback = [position[a] for a in words if a in position]
        choices = rank_candidates(state.ranking, vectors, matches, cap, fallback)
        state.today = {papers[c.position].arxiv_id: c.score for c in choices if c.score is not None}
        return [(papers[c.position].arxiv_id, c.reason) for c in choices]

    def learn(self, channel: str, votes: Sequence[tuple[Paper, bool]]) -> None:
        """Add the votes and retrain the channel's ranking."""
        if not votes:
            return
        state = self._channels[channel]
        vectors = self.vectors([p for p, _ in votes])
        for (paper, liked), vector in zip(votes, vectors, strict=True):
            state.votes.append(VotedPaper(vector, liked, title=paper.title))
            if paper.arxiv_id in state.today:
                state.shown_scores.append(state.today[paper.arxiv_id])
                state.shown_liked.append(liked)
        background = (self._sum / max(len(self._vectors), 1)).astype(np.float32)
        state.ranking = learn_channel(
            state.votes,
            state.seeds,
            background,
            shown_scores=np.array(state.shown_scores, np.float32),
            shown_liked=np.array(state.shown_liked, bool),
            previous=state.ranking,
        )
