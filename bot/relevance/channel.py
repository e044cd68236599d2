"""A channel's ranking as the product calls it: learn from votes and seeds, rank a day with reasons.

Pure functions on numpy arrays and plain values (no database, no asyncio), in four steps:

1. `embed_papers(papers)`: each paper's vector, once, at ingest (cacheable: 1 KB a paper).
2. `make_seeds(topics, meanings, papers)`: what the channel asked for (its word topics, its `~`
   topics' texts, its `like:` papers), embedded once per change of its topics.
3. `learn_channel(votes, seeds, background)`: the channel's `ChannelRanking` from its votes
   (`VotedPaper`: the paper's vector, 👍 or 👎, whether it is a weak 👍 from opening Explain or
   asking in the thread) and its seeds; `background` is the average paper (a running mean of
   every vector). None until `Policy.min_votes` votes: the digest stays today's word ranking.
4. `rank_candidates(ranking, vectors, matched, cap, fallback)`: the day's chosen papers, best
   first, each with its chance of a 👍 and why it is there: `words` (its topic matched),
   `like <title>` (close to a liked paper or a `like:` seed) or `close to ~<topic>`; the papers
   its `~` topics bring (`meaning_matches`) are candidates too. `quality=True` keeps only papers
   above the channel's learned `quality high` cut (`ranking.quality_threshold`).

The words, `~` topics and `like:` seeds count as 👍 (`Policy.seed_weight` votes each); the
average paper as a mild 👎. See docs/relevance.md for the figures behind every choice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bot.relevance.embedding import TextEmbedder, Vectors, load_embedder, paper_text
from bot.relevance.model import Labels, Matrix, Vector
from bot.relevance.ranking import DEFAULT_POLICY, ChannelTaste, Policy, choose, features, topic_seed

if TYPE_CHECKING:
    from bot.domain.paper import Paper
    from bot.domain.topics import Topic

WORDS = "words"
WEAK_WEIGHT = 0.5  # a weak 👍 (Explain opened, a question asked) counts half a vote


@dataclass(frozen=True, slots=True)
class VotedPaper:
    """One vote of the channel on a paper: its vector, 👍 or 👎, weak or not, its title."""

    vector: Vector
    liked: bool
    weak: bool = False
    title: str = ""


@dataclass(frozen=True, slots=True)
class Anchor:
    """Something the channel asked for by meaning: a `like:` paper's title or a `~` topic's text."""

    vector: Vector
    label: str  # the paper's title, or the topic's text without `~`


@dataclass(frozen=True, slots=True)
class Seeds:
    """What a channel asked for before any vote: its typed words, `~` topics and `like:` papers."""

    words: Matrix = field(default_factory=lambda: np.zeros((0, 0), np.float32))  # one row per topic
    meanings: tuple[Anchor, ...] = ()  # `~"convergence rates"`: the text's vector
    papers: tuple[Anchor, ...] = ()  # `like:2602.10905`: the paper's vector and title


@dataclass(frozen=True, slots=True)
class ChannelRanking:
    """A channel's learned taste and what its items' reasons point to."""

    taste: ChannelTaste
    liked: tuple[Anchor, ...]  # its 👍 papers (not weak) and `like:` seeds: "like <title>"
    meanings: tuple[Anchor, ...]  # its `~` topics: "close to ~<topic>"
    votes: int  # how many votes it learned from (weak ones included), for `settings`

    @property
    def quality_threshold(self) -> float:
        """The `settings quality high` cut: only papers whose chance of a 👍 is at least this."""
        return self.taste.quality_threshold


@dataclass(frozen=True, slots=True)
class Choice:
    """A chosen paper: its position among the day's candidates, its chance of a 👍, and why."""

    position: int
    score: float | None  # None: today's word ranking (the channel has no model yet)
    reason: str  # "words", "like <title>" or "close to ~<topic>"


def embed_papers(papers: Sequence[Paper], embedder: TextEmbedder | None = None) -> Vectors:
    """Each paper's vector from its title and abstract, (papers, 256) float32 unit rows."""
    return (embedder or load_embedder()).embed([paper_text(p) for p in papers])


def embed_texts(texts: Sequence[str], embedder: TextEmbedder | None = None) -> Vectors:
    """Vectors for topic words or a `~` topic's text."""
    return (embedder or load_embedder()).embed(list(texts))


def make_seeds(
    topics: Sequence[Topic],
    meanings: Sequence[str] = (),
    papers: Sequence[tuple[str, Vector]] = (),
    embedder: TextEmbedder | None = None,
) -> Seeds:
    """A channel's seeds from its word topics, its `~` topics' texts and its `like:` papers
    (title and vector); embeds the texts, once per change of the channel's topics."""
    embedder = embedder or load_embedder()
    words = [topic_seed(embedder, topic) for topic in topics]
    rows = np.vstack(words) if words else np.zeros((0, embedder.dimensions), np.float32)
    texts = embedder.embed(list(meanings)) if meanings else rows[:0]
    return Seeds(
        words=rows,
        meanings=tuple(Anchor(v, t) for t, v in zip(meanings, texts, strict=True)),
        papers=tuple(Anchor(np.asarray(v, np.float32), title) for title, v in papers),
    )


def learn_channel(
    votes: Sequence[VotedPaper],
    seeds: Seeds,
    background: Vector,
    *,
    shown_scores: Vector | None = None,
    shown_liked: Labels | None = None,
    previous: ChannelRanking | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> ChannelRanking | None:
    """The channel's ranking from its votes (oldest first) and seeds; None until enough votes.

    `shown_scores`/`shown_liked`: votes on papers the model itself chose, with the chance it gave
    each when shown, from which the `quality high` cut is learned.
    """
    strong = [v for v in votes if not v.weak]
    if len(strong) < policy.min_votes:
        return None
    dimensions = len(background)
    voted = np.array([v.vector for v in votes], np.float32).reshape(-1, dimensions)
    liked = np.array([v.liked for v in votes], bool)
    weights = np.array([WEAK_WEIGHT if v.weak else 1.0 for v in votes], np.float32)
    anchors = [a.vector for a in (*seeds.meanings, *seeds.papers)]
    words = seeds.words.reshape(-1, dimensions) if seeds.words.size else np.zeros((0, dimensions), np.float32)
    positive = np.vstack([words, *(np.asarray(a, np.float32)[None, :] for a in anchors)])
    taste = ChannelTaste.learn(
        voted,
        liked,
        positive,
        np.asarray(background, np.float32).reshape(1, dimensions),
        shown_scores=shown_scores,
        shown_liked=shown_liked,
        previous=previous.taste if previous else None,
        policy=policy,
        vote_weights=weights,
    )
    if taste is None:
        return None
    liked_papers = tuple(Anchor(v.vector, v.title) for v in votes if v.liked and not v.weak and v.title)
    return ChannelRanking(taste, (*seeds.papers, *liked_papers), seeds.meanings, len(votes))


def rank_candidates(
    ranking: ChannelRanking | None,
    vectors: Matrix,
    matched: Mapping[int, float],
    cap: int,
    fallback: Sequence[int],
    *,
    meant: Mapping[int, float] | None = None,
    quality: bool = False,
    cut: float | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> list[Choice]:
    """The day's chosen candidates (rows of `vectors`), best first, each with its reason.

    `matched`: the typed topics' word matches (row -> score); `meant`: the rows its `~` topics
    brought (`meaning_matches`); `fallback`: today's order of those, the digest while the channel
    has no ranking. `quality`: only papers above the learned `quality high` cut; `cut`: only those
    at least this likely a 👍 (`settings quality 0.7`).
    """
    if ranking is None:
        return [Choice(i, None, WORDS) for i in fallback[:cap]]
    meant = meant or {}
    p = ranking.taste.model.probabilities(features(vectors))
    if cut is None:
        cut = ranking.taste.quality_threshold if quality else ranking.taste.threshold
    chosen = choose(p, {**meant, **matched}, cap, cut, policy.expand)
    scores = chosen.scores or []
    return [
        Choice(
            i,
            s,
            WORDS if i in matched else reason_for(ranking, vectors[i], liked=i not in meant),
        )
        for i, s in zip(chosen.positions, scores, strict=True)
    ]


def reason_for(ranking: ChannelRanking, vector: Vector, *, liked: bool = True) -> str:
    """Why a paper the words missed is there: the closest liked paper or `~` topic (only the
    `~` topics when `liked` is False: the paper is there because one of them brought it)."""
    best, reason = -2.0, "close to what this channel liked"
    for anchor in ranking.liked if liked else ():
        similarity = float(np.dot(anchor.vector, vector))
        if similarity > best:
            best, reason = similarity, f"like {anchor.label}"
    for anchor in ranking.meanings:
        similarity = float(np.dot(anchor.vector, vector))
        if similarity > best:
            best, reason = similarity, f"close to ~{anchor.label}"
    return reason


MEANING_THRESHOLD = 0.45  # a `~` topic's default cosine cut (docs/relevance.md), until votes refine it


def meaning_matches(
    vectors: Matrix, meanings: Sequence[Anchor], threshold: float = MEANING_THRESHOLD
) -> dict[int, float]:
    """The candidates a channel's `~` topics bring: rows at least `threshold` close to one of them
    (cosine of unit vectors), each with its best similarity."""
    if not meanings or not len(vectors):
        return {}
    similarity = (vectors @ np.stack([np.asarray(m.vector, np.float32) for m in meanings]).T).max(axis=1)
    return {int(i): float(similarity[i]) for i in np.flatnonzero(similarity >= threshold)}
