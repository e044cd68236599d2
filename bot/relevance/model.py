"""A channel's taste, learned from its members' votes: a small logistic model on paper features.

Pure functions on numpy arrays, no storage and no platform: the caller gathers a channel's votes
(the features of each voted paper and whether it was 👍) and gets back a `ChannelModel`, a few
hundred floats it can keep, and scores a day's candidates with it in one matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Matrix = NDArray[np.float32]
Vector = NDArray[np.float32]
Labels = NDArray[np.bool_]

import os
MIN_VOTES = int(os.environ.get("PB_MIN_VOTES", "6"))
MIN_EACH = int(os.environ.get("PB_MIN_EACH", "2"))
L2 = float(os.environ.get("PB_L2", "1.0"))
NEWTON_STEPS = 8


@dataclass(frozen=True, slots=True)
class ChannelModel:
    """What a channel learned: a weight per feature, a bias, and how many votes taught it."""

    weights: Vector
    bias: float
    votes: int
    liked: int

    def probabilities(self, features: Matrix) -> Vector:
        """The chance of a 👍 for each row of `features`."""
        return _sigmoid(features @ self.weights + np.float32(self.bias))


def enough_votes(labels: Labels) -> bool:
    """Whether the votes can teach anything: some of each kind, and not just a handful."""
    liked = int(labels.sum())
    return len(labels) >= MIN_VOTES and liked >= MIN_EACH and len(labels) - liked >= MIN_EACH


def train(
    features: Matrix,
    labels: Labels,
    sample_weights: Vector | None = None,
    *,
    l2: float = L2,
    start: ChannelModel | None = None,
) -> ChannelModel | None:
    """Fit L2-regularised logistic regression by Newton steps; None when the votes are too few.

    Both kinds of vote weigh the same in total, so a channel that mostly says 👎 still learns
    what it likes. `start` (the channel's previous model) makes a retrain after a few new votes
    converge in one or two steps.
    """
    if not enough_votes(labels):
        return None
    n, d = features.shape
    y = labels.astype(np.float64)
    liked = y.sum()
    balance = np.where(labels, n / (2.0 * liked), n / (2.0 * (n - liked)))
    weights = balance if sample_weights is None else balance * sample_weights.astype(np.float64)
    x = np.hstack((features.astype(np.float64), np.ones((n, 1))))
    theta = np.zeros(d + 1)
    if start is not None and start.weights.shape == (d,):
        theta[:d], theta[d] = start.weights, start.bias
    penalty = np.full(d + 1, l2)
    penalty[d] = 1e-6  # the bias is not shrunk
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ theta)))
        gradient = x.T @ (weights * (p - y)) + penalty * theta
        curvature = weights * p * (1.0 - p)
        hessian = (x.T * curvature) @ x
        hessian[np.diag_indices_from(hessian)] += penalty
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if float(np.abs(step).max()) < 1e-4:
            break
    return ChannelModel(theta[:d].astype(np.float32), float(theta[d]), n, int(liked))


def _sigmoid(z: NDArray[np.float32]) -> Vector:
    return (1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))).astype(np.float32)
