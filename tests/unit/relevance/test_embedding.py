"""Paper meaning from the model inside the installed `wordllama` wheel, with the network blocked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.relevance.embedding import DIMENSIONS, load_embedder

SGD = "Convergence rates of stochastic gradient descent for nonconvex optimization"
SGD_TOO = "We prove that SGD with decaying step sizes converges to stationary points of smooth losses"
PLANETS = "Transmission spectra of hot Jupiter exoplanet atmospheres observed with JWST"


def test_loads_from_the_package_without_the_network() -> None:
    # The suite's guard fails any connection off this machine: loading and embedding need none.
    embedder = load_embedder()
    vectors = embedder.embed([SGD, SGD_TOO, PLANETS])
    assert vectors.shape == (3, DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_papers_on_the_same_subject_are_closer_than_papers_on_another() -> None:
    sgd, sgd_too, planets = load_embedder().embed([SGD, SGD_TOO, PLANETS])
    assert float(sgd @ sgd_too) > float(sgd @ planets) + 0.1


def test_pools_exactly_like_wordllama_itself() -> None:
    # Our unpadded pooling must be the model's own mean pooling, only faster.
    import wordllama
    from wordllama import WordLlama

    texts = [SGD, SGD_TOO, PLANETS, "x", "A much longer text " * 40]
    reference = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    assert np.allclose(load_embedder().embed(texts), reference.embed(texts, norm=True), atol=1e-5)


@pytest.mark.parametrize("count", [0, 1, 300])
def test_keeps_order_and_count_across_batches(count: int) -> None:
    texts = [PLANETS if i % 2 else SGD for i in range(count)]
    vectors = load_embedder().embed(texts)
    assert vectors.shape == (count, DIMENSIONS)
    if count > 1:
        assert np.allclose(vectors[0::2], vectors[0]) and np.allclose(vectors[1::2], vectors[1])


def test_an_empty_text_gets_the_zero_vector_not_an_error() -> None:
    vectors = load_embedder().embed(["", SGD])
    assert not vectors[0].any() and vectors[1].any()
