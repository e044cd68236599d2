"""Which words a topic counts as one: every inflection of a word, never a different word that
merely shares its stem (the Snowball stemmer alone finds "Scattering Transform" for `transformer`)."""

from __future__ import annotations

import itertools

import pytest

from bot.domain.topic_index import PaperIndex
from bot.domain.topics import parse_topic
from tests.fakes.arxiv_papers import make_paper

# Each line is one word in its forms: any of them as a topic finds a title with any other.
SAME_WORD = [
    "converge converges converged converging convergence convergences convergent convergently",
    "transformer transformers Transformer's",
    "transform transforms transformed transforming transformation transformations",
    "computer computers",
    "compute computes computed computing computation computations",
    "university universities",
    "generate generates generated generating generation",
    "optimize optimizes optimized optimizing optimization optimizations",
    "optimizer optimizers",
    "statistic statistics statistical statistically",
    "efficient efficiently efficiency",
    "robust robustness",
    "diffuse diffuses diffused diffusion diffusions",
    "decoder decoders",
    "estimate estimates estimated estimation",
    "normalize normalized normalizing normalization",
    "probability probabilities",
]

# Different words that share a stem: neither finds the other.
DIFFERENT_WORDS = [
    ("transformer", "transform"),
    ("transformers", "transformation"),
    ("computer", "compute"),
    ("computers", "computation"),
    ("university", "universal"),
    ("university", "universe"),
    ("generative", "general"),
    ("generative", "generation"),
    ("generator", "generate"),
    ("optimizer", "optimization"),
    ("optimal", "optimize"),
    ("decoder", "decoding"),
    ("estimator", "estimate"),
    ("diffusive", "diffusion"),
    ("normal", "normalization"),
    ("relative", "relation"),
    ("computational", "computation"),
]


def finds(topic: str, title: str) -> bool:
    """Whether a topic selects a paper with this title, alone and through the batch index."""
    paper = make_paper("2701.00001", title=f"On {title}", abstract="A study.")
    alone = parse_topic(topic).matches(paper) is not None
    assert (paper.arxiv_id in PaperIndex([paper]).search(parse_topic(topic))) == alone
    return alone


@pytest.mark.parametrize("forms", SAME_WORD, ids=lambda f: f.split()[0])
def test_every_form_of_a_word_finds_every_other(forms: str) -> None:
    words = forms.split()
    missed = [(a, b) for a, b in itertools.permutations(words, 2) if not finds(a, b)]
    assert missed == []


@pytest.mark.parametrize(("one", "other"), DIFFERENT_WORDS, ids="/".join)
def test_different_words_sharing_a_stem_do_not_find_each_other(one: str, other: str) -> None:
    assert not finds(one, other)
    assert not finds(other, one)


def test_a_transformer_topic_does_not_find_a_scattering_transform() -> None:
    scattering = make_paper(
        "2701.00002", title="Wavelet Scattering Transform for audio", abstract="We transform signals."
    )
    transformers = make_paper(
        "2701.00003", title="Transformers for audio", abstract="A transformer reads spectrograms."
    )
    index = PaperIndex([scattering, transformers])
    assert set(index.search(parse_topic("ti:transformer"))) == {transformers.arxiv_id}
    assert set(index.search(parse_topic("transformer"))) == {transformers.arxiv_id}
    assert set(index.search(parse_topic("transform"))) == {scattering.arxiv_id}
    assert set(index.search(parse_topic("transform*"))) == {scattering.arxiv_id, transformers.arxiv_id}
