"""A channel's digest by its own taste: candidates from words and meaning, ranked by its model."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.relevance.model import ChannelModel, Labels, Matrix, train

SCALE = np.float32(16.0)  # unit vectors' components are ~1/16: bring them to ~1 for the L2 penalty
SHOW = float(os.environ.get("PB_SHOW", "0.5"))
EXPAND = float(os.environ.get("PB_EXPAND", "0.5"))


@dataclass(frozen=True, slots=True)
class Candidates:
    """A day's papers for one channel: their vectors, and the topic's word matches with scores."""

    vectors: Matrix  # (papers, dimensions), unit rows
    matched: Mapping[int, float]  # position -> word score


@dataclass(frozen=True, slots=True)
class ChannelTaste:
    """A channel's trained model and the threshold below which it shows nothing."""

    model: ChannelModel
    threshold: float

    @staticmethod
    def learn(vectors: Matrix, labels: Labels, previous: ChannelTaste | None = None) -> ChannelTaste | None:
        """Train on the voted papers' vectors; None while the votes are too few."""
        model = train(vectors * SCALE, labels, start=previous.model if previous else None)
        return None if model is None else ChannelTaste(model, SHOW)


def rank_day(taste: ChannelTaste | None, day: Candidates, cap: int, fallback: Sequence[int]) -> list[int]:
    """Positions of the papers to show, best first: the word order until the channel has a taste."""
    if taste is None:
        return list(fallback[:cap])
    p = taste.model.probabilities(day.vectors * SCALE)
    pool = set(day.matched) | {int(i) for i in np.flatnonzero(p >= EXPAND)}
    ranked = sorted((i for i in pool if p[i] >= taste.threshold), key=lambda i: -p[i])
    return ranked[:cap]
