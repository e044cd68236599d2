"""A channel that follows `representation` to hear about representation theory teaches Paperboy,
in a few votes, to drop representation learning and to bring algebra papers its words missed."""

from __future__ import annotations

import numpy as np

from bot.domain.topic_index import PaperIndex
from bot.domain.topics import parse_topic
from bot.relevance.embedding import load_embedder
from bot.relevance.ranking import DEFAULT_POLICY, ChannelTaste, Policy, features, rank_day, topic_seed
from tests.fakes.arxiv_papers import make_paper

ALGEBRA = [
    (
        "Irreducible representations of quantum groups at roots of unity",
        "We classify the irreducible modules of the small quantum group and compute their characters.",
    ),
    (
        "Representations of symmetric groups and Specht modules",
        "We study decomposition numbers of Specht modules for symmetric groups in positive characteristic.",
    ),
    (
        "Category O for rational Cherednik algebras",
        "We describe the highest weight category of modules over rational Cherednik algebras.",
    ),
    (
        "Unitary representations of real reductive Lie groups",
        "We determine the unitary dual of a real reductive group using the Langlands classification.",
    ),
    (
        "Tilting modules for algebraic groups",
        "We compute characters of tilting modules for reductive algebraic groups via the linkage principle.",
    ),
    (
        "Representation theory of Hecke algebras of type B",
        "Cellular structures and canonical bases of Iwahori-Hecke algebras of type B are studied.",
    ),
]
LEARNING = [
    (
        "Contrastive representation learning for images",
        "We train a vision encoder with a contrastive loss and evaluate the learned representations.",
    ),
    (
        "Self-supervised speech representations",
        "A transformer learns speech representations from unlabeled audio and improves recognition.",
    ),
    (
        "Graph neural network representations for molecules",
        "Message passing networks learn molecular representations that predict chemical properties.",
    ),
    (
        "Disentangled representations in variational autoencoders",
        "We encourage disentangled latent representations in VAEs trained on image datasets.",
    ),
    (
        "Representation alignment in large language models",
        "We probe how hidden representations of language models align across layers and tasks.",
    ),
    (
        "Sparse autoencoders find interpretable representations",
        "Sparse dictionary learning on neural network activations recovers interpretable features.",
    ),
]
TOMORROW = [
    (
        "Representations of finite groups of Lie type in defining characteristic",
        "We study modular representations of finite groups of Lie type and their Brauer characters.",
    ),
    (
        "Weight representations of affine Lie algebras",
        "We classify irreducible weight modules with finite-dimensional weight spaces for affine algebras.",
    ),
    (
        "Representation learning for robot manipulation",
        "A policy network learns visual representations from demonstrations for robotic grasping.",
    ),
    (
        "Multimodal representations for video question answering",
        "We fuse visual and textual representations with a transformer to answer questions about videos.",
    ),
]
# Algebra the word `representation` does not catch, and a paper far from everything voted on.
UNSAID = (
    "Kazhdan-Lusztig polynomials and Soergel bimodules",
    "We prove positivity of Kazhdan-Lusztig polynomials for Coxeter groups via Soergel bimodules.",
)
ELSEWHERE = (
    "Dust attenuation in high-redshift galaxies",
    "We measure dust attenuation curves of galaxies at redshift four with JWST spectroscopy.",
)


def _papers(texts: list[tuple[str, str]], first: int) -> list:
    return [
        make_paper(f"2701.{first + i:05d}", title=title, abstract=abstract)
        for i, (title, abstract) in enumerate(texts)
    ]


def _taste(liked: list[tuple[str, str]], disliked: list[tuple[str, str]], policy: Policy = DEFAULT_POLICY):
    embedder = load_embedder()
    voted = embedder.embed([f"{t}. {a}" for t, a in liked + disliked])
    labels = np.array([True] * len(liked) + [False] * len(disliked))
    seeds = topic_seed(embedder, parse_topic("representation"))
    background = embedder.embed([f"{t}. {a}" for t, a in ALGEBRA + LEARNING + [ELSEWHERE]]).mean(
        0, keepdims=True
    )
    return ChannelTaste.learn(voted, labels, seeds, background, policy=policy)


def _day():
    """Tomorrow's papers: fresh algebra and fresh learning papers, the unsaid one, the far one."""
    papers = _papers([*TOMORROW, UNSAID, ELSEWHERE], 100)
    index = PaperIndex(papers)
    position = {p.arxiv_id: i for i, p in enumerate(papers)}
    matched = {position[a]: m.score for a, m in index.search(parse_topic("representation")).items()}
    vectors = load_embedder().embed([f"{p.title}. {p.abstract}" for p in papers])
    words = sorted(matched, key=lambda i: -matched[i])
    return papers, vectors, matched, words


def test_before_enough_votes_the_digest_is_todays_word_ranking() -> None:
    assert _taste(ALGEBRA[:1], LEARNING[:2]) is None  # three votes: not enough
    _, vectors, matched, words = _day()
    ranking = rank_day(None, vectors, matched, 10, words)
    assert ranking.positions == words[:10] and ranking.scores is None


def test_a_few_votes_put_what_the_team_liked_first() -> None:
    taste = _taste(ALGEBRA[:3], LEARNING[:3])  # six votes
    assert taste is not None
    papers, vectors, matched, words = _day()
    shown = [papers[i].title for i in rank_day(taste, vectors, matched, 10, words).positions]
    algebra, learning = [t for t, _ in TOMORROW[:2]], [t for t, _ in TOMORROW[2:]]
    assert max(map(shown.index, algebra)) < min(shown.index(t) for t in learning if t in shown)
    assert ELSEWHERE[0] not in shown


def test_more_votes_sink_what_the_team_said_no_to_below_what_words_missed() -> None:
    taste = _taste(ALGEBRA, LEARNING)  # twelve votes
    assert taste is not None
    papers, vectors, matched, words = _day()
    p = taste.model.probabilities(features(vectors))
    algebra, learning, unsaid, elsewhere = p[:2], p[2:4], p[4], p[5]
    assert min(algebra) > max(learning) and unsaid > max(learning)
    shown = {papers[i].title for i in rank_day(taste, vectors, matched, 10, words).positions}
    assert ELSEWHERE[0] not in shown and elsewhere < DEFAULT_POLICY.show


def test_a_paper_the_words_missed_joins_once_the_model_is_sure_enough() -> None:
    taste = _taste(ALGEBRA, LEARNING)
    papers, vectors, matched, words = _day()
    unsure = rank_day(taste, vectors, matched, 10, words, policy=Policy(expand=0.99))
    sure = rank_day(taste, vectors, matched, 10, words, policy=Policy(expand=0.5))
    assert UNSAID[0] not in {papers[i].title for i in unsure.positions}
    assert UNSAID[0] in {papers[i].title for i in sure.positions}
    assert 4 not in matched  # UNSAID: no "representation" in it, found by meaning


def test_quality_high_shows_fewer_or_the_same_better_papers() -> None:
    taste = _taste(ALGEBRA[:3], LEARNING[:3])
    assert taste is not None and taste.quality_threshold >= taste.threshold
    _, vectors, matched, words = _day()
    default = rank_day(taste, vectors, matched, 10, words)
    high = rank_day(taste, vectors, matched, 10, words, quality=True)
    assert set(high.positions) <= set(default.positions)
    assert high.scores is not None and min(high.scores, default=1.0) >= taste.quality_threshold


def test_the_digest_is_best_first_and_capped() -> None:
    taste = _taste(ALGEBRA[:3], LEARNING[:3])
    _, vectors, matched, words = _day()
    ranking = rank_day(taste, vectors, matched, 2, words)
    assert len(ranking.positions) == 2
    assert ranking.scores == sorted(ranking.scores or [], reverse=True)
