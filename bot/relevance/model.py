"""A channel's taste, learned from its members' votes: a small logistic model on paper features.

Pure functions on numpy arrays, no storage and no platform: the caller gathers a channel's votes
(the features of each voted paper, whether it was 👍, how much it counts) and gets back a
`ChannelModel`, a few hundred floats it can keep, and scores a day's papers with one matrix
product (`probabilities_for` scores a whole batch of channels in one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Matrix = NDArray[np.float32]
Vector = NDArray[np.float32]
Labels = NDArray[np.bool_]

L2 = 100.0  # strong: a channel has tens of votes for 256 features
NEWTON_STEPS = 8
TOLERANCE = 1e-4


@dataclass(frozen=True, slots=True)
class ChannelModel:
    """What a channel learned: a weight per feature, a bias, and how many votes taught it."""

    weights: Vector
    bias: float
    votes: int
    liked: int

    def probabilities(self, features: Matrix) -> Vector:
        """The chance of a 👍 for each row of `features`, both kinds of vote weighing the same."""
        return _sigmoid(features @ self.weights + np.float32(self.bias))


def train(
    features: Matrix,
    liked: Labels,
    sample_weights: Vector | None = None,
    *,
    l2: float = L2,
    start: ChannelModel | None = None,
) -> ChannelModel | None:
    """Fit L2-regularised logistic regression by Newton steps; None without both kinds of vote.

    Both kinds weigh the same in total, so a channel that mostly says 👎 still learns what it
    likes, and 0.5 means "as likely a 👍 as a 👎". `start` (the channel's previous model) lets a
    retrain after a few new votes converge in a step or two.
    """
    n, d = features.shape
    if len(liked) != n or not liked.any() or liked.all():
        return None
    y = liked.astype(np.float64)
    share = float(y.mean())
    weights = np.where(liked, 0.5 / share, 0.5 / (1.0 - share))
    if sample_weights is not None:
        weights = weights * sample_weights.astype(np.float64)
    x = np.hstack((features.astype(np.float64), np.ones((n, 1))))
    theta = np.zeros(d + 1)
    if start is not None and start.weights.shape == (d,):
        theta[:d], theta[d] = start.weights, start.bias
    penalty = np.full(d + 1, l2)
    penalty[d] = 1e-6  # the bias is not shrunk
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ theta, -30.0, 30.0)))
        gradient = x.T @ (weights * (p - y)) + penalty * theta
        step = _newton_step(x, weights * p * (1.0 - p), penalty, gradient)
        theta -= step
        if float(np.abs(step).max()) < TOLERANCE:
            break
    return ChannelModel(theta[:d].astype(np.float32), float(theta[d]), n, int(liked.sum()))


def probabilities_for(models: Sequence[ChannelModel], features: Matrix) -> Matrix:
    """Every model's probabilities for every row, (models, rows): one product for a batch."""
    if not models:
        return np.zeros((0, len(features)), dtype=np.float32)
    weights = np.stack([m.weights for m in models])
    biases = np.array([m.bias for m in models], dtype=np.float32)
    return _sigmoid(weights @ features.T + biases[:, None])


def learn_threshold(scores: Vector, liked: Labels, floor: float, beta: float = 1.0) -> float:
    """The score cut that would have served the channel best: the best F-beta on its own
    history of (score when shown, vote), never below `floor`. A `beta` under 1 favours
    precision: fewer, better papers."""
    if len(scores) != len(liked) or not liked.any():
        return floor
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(liked[order])
    precision = hits / np.arange(1, len(order) + 1)
    recall = hits / hits[-1]
    b2 = beta * beta
    f = (1 + b2) * precision * recall / np.maximum(b2 * precision + recall, 1e-9)
    return max(floor, float(scores[order[int(np.argmax(f))]]))


def _newton_step(
    x: NDArray[np.float64],
    curvature: NDArray[np.float64],
    penalty: NDArray[np.float64],
    gradient: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The Newton step H⁻¹g for H = xᵀ·diag(curvature)·x + diag(penalty).

    A channel has tens of votes for 257 features: with fewer rows than features the same step
    comes from an n x n system instead of a 257 x 257 one (the Woodbury identity, written with
    S = diag(√curvature) so that the small matrix is I + S·x·D⁻¹·xᵀ·S, symmetric and positive).
    """
    n, d = x.shape
    if n >= d:
        hessian = (x.T * curvature) @ x
        hessian[np.diag_indices_from(hessian)] += penalty
        return np.asarray(np.linalg.solve(hessian, gradient))
    inverse = 1.0 / penalty
    sx = x * np.sqrt(curvature)[:, None]
    scaled = sx * inverse  # S·x·D⁻¹
    small = scaled @ sx.T
    small[np.diag_indices_from(small)] += 1.0
    shrunk = inverse * gradient  # D⁻¹·g
    return np.asarray(shrunk - scaled.T @ np.linalg.solve(small, sx @ shrunk))


def _sigmoid(z: NDArray[np.float32]) -> Vector:
    return (1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))).astype(np.float32)
