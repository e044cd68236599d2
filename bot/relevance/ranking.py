"""A channel's digest by its own taste: candidates from words and meaning, ranked by its model.

The candidates are the topic's word matches plus the papers the channel's model finds close
enough to what it liked; the model is trained on its votes, on the words it typed (a 👍 by
declaration) and on the average paper (a mild 👎: liking means liking more than the average).
Before the channel has voted enough, the digest is today's word ranking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.domain.topic_terms import TextTerm
from bot.domain.topics import Topic
from bot.relevance.embedding import TextEmbedder
from bot.relevance.model import L2, ChannelModel, Labels, Matrix, Vector, learn_threshold, train

SCALE = np.float32(16.0)  # unit vectors' components are ~1/16: bring them to ~1 for the L2 penalty


@dataclass(frozen=True, slots=True)
class Policy:
    """The ranking's knobs, measured in `benchmarks/relevance_lab.py` (see docs/relevance.md)."""

    min_votes: int = 4  # fewer votes: today's word ranking
    show: float = 0.3  # a paper below this chance of a 👍 is not shown
    expand: float = 0.6  # a paper the words missed joins the candidates from this chance on
    l2: float = L2
    seed_weight: float = 3.0  # the typed topic counts as this many 👍
    background_weight: float = 3.0  # the average paper counts as this many 👎
    quality_beta: float = 0.5  # `quality high`: the learned cut that best served precision
    history: int = 200  # votes on the model's own choices that the learned cut looks back on
    history_min: int = 10
    max_votes: int = 500  # the most recent votes a model is trained on: bounds cost, follows drift


DEFAULT_POLICY = Policy()


def features(vectors: Matrix) -> Matrix:
    """The model's view of papers: their meaning (unit vectors, scaled for the penalty)."""
    return (vectors * SCALE).astype(np.float32)


def seed_text(topic: Topic) -> str:
    """The words a channel typed in a topic (its positive word terms), "" when it typed none."""
    return " ".join(t.label.strip('"') for t in topic.positive_terms if isinstance(t, TextTerm))


def topic_seed(embedder: TextEmbedder, topic: Topic) -> Matrix:
    """The words a channel typed, as one vector: what it asked for, before any vote."""
    words = seed_text(topic)
    if not words:
        return np.zeros((0, embedder.dimensions), dtype=np.float32)
    return embedder.embed([words])


@dataclass(frozen=True, slots=True)
class ChannelTaste:
    """A channel's trained model, the cut below which it shows nothing, and its `quality high` cut."""

    model: ChannelModel
    threshold: float
    quality_threshold: float

    @staticmethod
    def learn(
        voted: Matrix,
        liked: Labels,
        seeds: Matrix,
        background: Matrix,
        *,
        shown_scores: Vector | None = None,
        shown_liked: Labels | None = None,
        previous: ChannelTaste | None = None,
        policy: Policy = DEFAULT_POLICY,
        vote_weights: Vector | None = None,
    ) -> ChannelTaste | None:
        """Train on the voted papers' vectors, the seeds and the background; None while too few votes.

        `shown_scores` and `shown_liked` are the channel's votes on papers its model chose, with the
        chance the model gave each when it was shown: the honest record the `quality high` cut is
        learned from. `vote_weights`: how much each vote counts (1; a weak 👍 less).
        """
        if len(liked) < policy.min_votes:
            return None
        voted, liked = voted[-policy.max_votes :], liked[-policy.max_votes :]
        counts = (
            np.ones(len(liked), np.float32) if vote_weights is None else vote_weights[-policy.max_votes :]
        )
        rows = np.vstack((seeds, background, voted))
        kinds = np.concatenate((np.ones(len(seeds), bool), np.zeros(len(background), bool), liked))
        weights = np.concatenate(
            (
                np.full(len(seeds), policy.seed_weight, np.float32),
                np.full(len(background), policy.background_weight, np.float32),
                counts.astype(np.float32),
            )
        )
        start = previous.model if previous else None
        model = train(features(rows), kinds, weights, l2=policy.l2, start=start)
        if model is None:
            return None
        quality = max(policy.show, 0.5)
        if shown_scores is not None and shown_liked is not None and len(shown_liked) >= policy.history_min:
            scores, votes = shown_scores[-policy.history :], shown_liked[-policy.history :]
            quality = learn_threshold(scores, votes, quality, policy.quality_beta)
        return ChannelTaste(model, policy.show, quality)


@dataclass(frozen=True, slots=True)
class Ranking:
    """Positions of the papers to show, best first, and the model's chance for each (None: words)."""

    positions: list[int]
    scores: list[float] | None
    more: int = 0  # candidates that passed beyond the first `cap`


def rank_day(
    taste: ChannelTaste | None,
    vectors: Matrix,
    matched: Mapping[int, float],
    cap: int,
    fallback: Sequence[int],
    *,
    quality: bool = False,
    policy: Policy = DEFAULT_POLICY,
) -> Ranking:
    """A channel's digest from a day's papers (`vectors`, unit rows) and its topic's word matches
    (position -> score); `fallback` is today's word order, used until the channel has a taste."""
    if taste is None:
        return Ranking(list(fallback[:cap]), None)
    p = taste.model.probabilities(features(vectors))
    return choose(p, matched, cap, taste.quality_threshold if quality else taste.threshold, policy.expand)


def choose(
    p: Vector,
    matched: Mapping[int, float],
    cap: int,
    threshold: float,
    expand: float,
    allowed: NDArray[np.bool_] | None = None,
) -> Ranking:
    """The best `cap` candidates at or above `threshold`: word matches (`matched`), and the others
    from `expand`; best first, then by position. `allowed` leaves out the rest (delivered, muted,
    outside the read mark). On arrays: 10,000 channels a run call this."""
    words = np.zeros(len(p), bool)
    words[list(matched)] = True
    eligible = (p >= threshold) & (words | (p >= max(expand, threshold)))
    if allowed is not None:
        eligible &= allowed
    found = np.flatnonzero(eligible)
    order = found[np.lexsort((found, -p[found]))]
    best = order[:cap]
    return Ranking([int(i) for i in best], [float(p[i]) for i in best], len(order) - len(best))
