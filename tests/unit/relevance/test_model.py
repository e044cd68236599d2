"""A channel's model learned from votes: it says 👍 to what looks like its 👍 papers."""

from __future__ import annotations

import numpy as np

from bot.relevance.model import learn_threshold, probabilities_for, train

RNG_SEED = 7


def _votes(n: int = 60, d: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Papers in two clusters: the channel likes the first."""
    rng = np.random.default_rng(RNG_SEED)
    liked = np.arange(n) % 3 == 0
    centre = np.where(liked[:, None], 1.0, -1.0) * np.eye(d, dtype=np.float32)[0]
    return (centre + 0.5 * rng.standard_normal((n, d))).astype(np.float32), liked


def test_no_model_without_both_kinds_of_vote() -> None:
    x, liked = _votes()
    assert train(x, np.ones(len(x), bool)) is None
    assert train(x, np.zeros(len(x), bool)) is None
    assert train(x[:0], liked[:0]) is None


def test_the_model_prefers_papers_like_the_liked_ones() -> None:
    x, liked = _votes()
    model = train(x, liked, l2=1.0)
    assert model is not None and (model.votes, model.liked) == (60, 20)
    like, unlike = np.zeros((2, 16), np.float32), np.zeros((2, 16), np.float32)
    like[:, 0], unlike[:, 0] = 1.0, -1.0
    assert (model.probabilities(like) > 0.8).all()
    assert (model.probabilities(unlike) < 0.2).all()


def test_a_minority_of_likes_still_counts_as_much_as_the_dislikes() -> None:
    # 20 👍 among 60 votes: balanced, so a paper halfway between the two is a coin toss.
    x, liked = _votes()
    model = train(x, liked, l2=1.0)
    assert model is not None
    assert abs(float(model.probabilities(np.zeros((1, 16), np.float32))[0]) - 0.5) < 0.15


def test_a_warm_start_reaches_the_same_model() -> None:
    x, liked = _votes()
    cold = train(x, liked)
    warm = train(x, liked, start=train(x[:30], liked[:30]))
    assert cold is not None and warm is not None
    assert np.allclose(cold.weights, warm.weights, atol=1e-3)


def test_a_batch_of_channels_scores_as_each_alone() -> None:
    x, liked = _votes()
    models = [m for m in (train(x, liked), train(x, ~liked)) if m is not None]
    together = probabilities_for(models, x)
    assert together.shape == (2, len(x))
    for row, model in zip(together, models, strict=True):
        assert np.allclose(row, model.probabilities(x), atol=1e-6)


def test_the_learned_cut_keeps_what_was_mostly_liked() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3], np.float32)
    liked = np.array([True, True, True, False, False, True, False])
    assert learn_threshold(scores, liked, floor=0.2) == np.float32(0.7)
    assert learn_threshold(scores, liked, floor=0.75) == 0.75  # never below the floor
    assert learn_threshold(scores, np.zeros(7, bool), floor=0.3) == 0.3  # nothing liked yet


def test_a_smaller_beta_cuts_higher() -> None:
    scores = np.linspace(0.95, 0.35, 13).astype(np.float32)
    liked = np.array([1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1], bool)
    assert learn_threshold(scores, liked, 0.0, beta=0.5) >= learn_threshold(scores, liked, 0.0, beta=2.0)
