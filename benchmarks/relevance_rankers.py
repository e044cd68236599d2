"""The relevance lab's three rankers: words only (today's), arxiv-sanity's SVM, and Paperboy's.

Each ranker keeps its own state for every channel and sees only the votes on what it showed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np

from benchmarks.relevance_corpus import ChannelSpec
from bot.domain.paper import Paper
from bot.domain.topic_index import PaperIndex
from bot.domain.topics import parse_topic
from bot.relevance.embedding import load_embedder, paper_text
from bot.relevance.ranking import DEFAULT_POLICY, ChannelTaste, Policy, rank_day, topic_seed


@dataclass(frozen=True)
class Day:
    """One announcement day: its papers, where they sit in the corpus-wide arrays, topic matches."""

    day: date
    papers: list[Paper]
    first_row: int  # row of papers[0] in the corpus-wide feature arrays
    matches: list[dict[int, float]]  # per channel: paper position -> the topic's score


class Ranker(Protocol):
    """Chooses each channel's digest and learns from the votes on it."""

    name: str

    def choose(self, channel: int, day: Day, cap: int) -> list[int]:
        """Positions in `day.papers` to show, best first."""
        ...

    def learn(self, channel: int, day: Day, votes: list[tuple[int, bool]]) -> None:
        """Take the team's votes (position, 👍) on what this ranker showed today."""
        ...


def words_order(day: Day, channel: int) -> list[int]:
    """Today's ranking: the topic's matches, best score first, then newest (highest id) first."""
    matched = day.matches[channel]
    newest_first = sorted(matched, key=lambda i: day.papers[i].arxiv_id, reverse=True)
    return sorted(newest_first, key=lambda i: -matched[i])  # stable: ties stay newest first


class WordsRanker:
    """Today's matching, which never learns."""

    name = "words"

    def choose(self, channel: int, day: Day, cap: int) -> list[int]:
        """The best-scoring matches of the channel's topic."""
        return words_order(day, channel)[:cap]

    def learn(self, channel: int, day: Day, votes: list[tuple[int, bool]]) -> None:
        """Words only: votes change nothing."""


class SvmRanker:
    """arxiv-sanity's recipe: tf-idf features and a linear SVM per channel, on its votes."""

    name = "svm"

    def __init__(self, features: Any, channels: int, c: float = 0.1) -> None:
        self._x = features
        self._c = c
        self._rows: list[list[int]] = [[] for _ in range(channels)]
        self._labels: list[list[bool]] = [[] for _ in range(channels)]

    def choose(self, channel: int, day: Day, cap: int) -> list[int]:
        """The day's papers by SVM score once both kinds of vote exist, else today's words."""
        from sklearn.svm import LinearSVC

        labels = self._labels[channel]
        if not any(labels) or all(labels):
            return words_order(day, channel)[:cap]
        svm = LinearSVC(class_weight="balanced", C=self._c, max_iter=10_000, tol=1e-6)
        svm.fit(self._x[self._rows[channel]], labels)
        scores = svm.decision_function(self._x[day.first_row : day.first_row + len(day.papers)])
        return [int(i) for i in np.argsort(-scores, kind="stable")[:cap]]

    def learn(self, channel: int, day: Day, votes: list[tuple[int, bool]]) -> None:
        """Remember the votes; the model is refitted when the next digest is built."""
        for position, liked in votes:
            self._rows[channel].append(day.first_row + position)
            self._labels[channel].append(liked)


@dataclass
class _Channel:
    rows: list[int] = field(default_factory=list)
    liked: list[bool] = field(default_factory=list)
    taste: ChannelTaste | None = None
    today: dict[int, float] = field(default_factory=dict)  # what the model chose: position -> chance
    shown_scores: list[float] = field(default_factory=list)  # votes on the model's own choices
    shown_liked: list[bool] = field(default_factory=list)


class PaperboyRanker:
    """The product's ranking (`bot.relevance`): candidates from words and meaning, a learned model."""

    def __init__(
        self,
        embeddings: np.ndarray,
        seeds: Sequence[np.ndarray],
        quality: bool = False,
        policy: Policy = DEFAULT_POLICY,
    ) -> None:
        self._policy = policy
        self.name = "paperboy-quality-high" if quality else "paperboy"
        self._e = embeddings
        self._seeds = seeds
        self._quality = quality
        self._state = [_Channel() for _ in seeds]
        self._background_day: date | None = None
        self._background = np.zeros((1, embeddings.shape[1]), np.float32)

    def choose(self, channel: int, day: Day, cap: int) -> list[int]:
        """The channel's own ranking of the day, words only until its votes can teach."""
        state = self._state[channel]
        vectors = self._e[day.first_row : day.first_row + len(day.papers)]
        fallback = words_order(day, channel)
        ranking = rank_day(
            state.taste,
            vectors,
            day.matches[channel],
            cap,
            fallback,
            quality=self._quality,
            policy=self._policy,
        )
        scores = ranking.scores
        state.today = dict(zip(ranking.positions, scores, strict=True)) if scores is not None else {}
        return ranking.positions

    def learn(self, channel: int, day: Day, votes: list[tuple[int, bool]]) -> None:
        """Add the votes and retrain the channel's model."""
        state = self._state[channel]
        if not votes:
            return
        for position, liked in votes:
            state.rows.append(day.first_row + position)
            state.liked.append(liked)
            if position in state.today:
                state.shown_scores.append(state.today[position])
                state.shown_liked.append(liked)
        state.taste = ChannelTaste.learn(
            self._e[state.rows],
            np.array(state.liked, dtype=bool),
            self._seeds[channel],
            self._average_paper(day),
            shown_scores=np.array(state.shown_scores, np.float32),
            shown_liked=np.array(state.shown_liked, bool),
            previous=state.taste,
            policy=self._policy,
        )

    def _average_paper(self, day: Day) -> np.ndarray:
        """The mean vector of every paper announced so far (the product keeps a running mean)."""
        if self._background_day != day.day:
            self._background = self._e[: day.first_row + len(day.papers)].mean(axis=0, keepdims=True)
            self._background_day = day.day
        return self._background


def build_rankers(
    names: Sequence[str], raw_days: list[tuple[date, list[Paper]]], channels: Sequence[ChannelSpec]
) -> tuple[list[Ranker], list[Day], dict[str, str]]:
    """Index each day for the channels' topics, compute the features the rankers need."""
    topics = [parse_topic(c.topic) for c in channels]
    days: list[Day] = []
    row = 0
    started = time.process_time()
    for announced, papers in raw_days:
        index = PaperIndex(papers)
        position = {p.arxiv_id: i for i, p in enumerate(papers)}
        matches = [{position[a]: m.score for a, m in index.search(topic).items()} for topic in topics]
        days.append(Day(announced, papers, row, matches))
        row += len(papers)
    costs = {"word matching (CPU)": f"{time.process_time() - started:.1f} s"}
    everything = [p for _, papers in raw_days for p in papers]
    rankers: list[Ranker] = []
    meaning: tuple[np.ndarray, list[np.ndarray]] | None = None
    for name in names:
        if name == "words":
            rankers.append(WordsRanker())
        elif name == "svm":
            started = time.process_time()
            rankers.append(SvmRanker(tfidf(everything), len(channels)))
            costs["tf-idf features (CPU)"] = f"{time.process_time() - started:.1f} s"
        elif name in ("paperboy", "paperboy-quality-high"):
            if meaning is None:
                meaning = _embed(everything, channels, costs)
            rankers.append(PaperboyRanker(*meaning, quality=name != "paperboy"))
        else:
            raise SystemExit(f"unknown ranker {name!r}: use words, svm, paperboy")
    return rankers, days, costs


def _embed(
    papers: Sequence[Paper], channels: Sequence[ChannelSpec], costs: dict[str, str]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Every paper's vector, as ingest computes it once for all channels, and each topic's seed."""
    embedder = load_embedder()
    started, wall = time.process_time(), time.perf_counter()
    embeddings = embedder.embed([paper_text(p) for p in papers])
    cpu, wall = time.process_time() - started, time.perf_counter() - wall
    costs["embedding"] = (
        f"{len(papers):,} papers in {wall:.1f} s wall, {cpu:.1f} s CPU"
        f" ({3000 * wall / len(papers):.2f} s wall per 3,000)"
    )
    return embeddings, [topic_seed(embedder, parse_topic(c.topic)) for c in channels]


def tfidf(papers: Sequence[Paper]) -> Any:
    """arxiv-sanity-lite's features (its compute.py): title, abstract and authors; 1-2 grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        strip_accents="unicode",
        lowercase=True,
        analyzer="word",
        stop_words="english",
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
        ngram_range=(1, 2),
        max_features=20_000,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=True,
        max_df=0.5,
        min_df=5,
    )
    corpus = [f"{p.title} {p.abstract} {' '.join(p.authors)}" for p in papers]
    return vectorizer.fit_transform(corpus).astype(np.float32).tocsr()
