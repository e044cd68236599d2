"""Topics by similarity: `like:<arXiv id>` (papers like this one) and `~"words"` (by meaning).

A topic is a *near part* and a *filter*. The near part is one seed or meaning, or several joined
by OR (`like:2602.10905 OR like:2601.00001`, `~"graph neural networks" OR like:2602.10905`); it
says which papers are close, and words cannot decide that: the candidates come from a similarity
search outside the domain (embeddings), handed to `PaperIndex.search` as `Nearness` per paper.
Everything else in the topic, joined to the near part by AND (a space), is the filter, read
exactly as a word topic: `~"graph neural networks" cat:cs.LG -survey` keeps the close papers
listed in cs.LG without the word "survey".

So the near part may stand only at the top of a topic: not under `-`/NOT (a meaning can't be
excluded), not in an OR with words (similarity brings its own papers: follow words as a topic of
their own), and not twice in one AND (join seeds with OR). `bot.domain.topic_placement` checks
that, and the parser says what to fix in one line.

The near leaves pass every word test (`test` is True, `select` is every paper), so a topic's
whole expression, tested on a paper, is exactly its filter.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.paper_text import PaperText

if TYPE_CHECKING:
    from bot.domain.topic_index import PaperIndex


@dataclass(frozen=True, slots=True)
class Nearness:
    """How close a candidate paper is to a topic's near part, and to which seed or meaning."""

    score: float  # higher is closer; added to the filter's word score
    label: str  # the seed or meaning it is closest to, as the topic prints it: `like:2602.10905`


class _Near:
    """What seeds and meanings share: words don't decide them, so every paper passes."""

    __slots__ = ()
    label: str

    def test(self, doc: PaperText) -> bool:
        """Every paper passes: closeness is decided by similarity, outside the word index."""
        return True

    def select(self, index: PaperIndex) -> AbstractSet[int]:
        """Every paper of the index (see `test`)."""
        return index.universe

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class SeedTerm(_Near):
    """`like:2602.10905`: papers like this one (its version-free id)."""

    arxiv_id: str
    label: str


@dataclass(frozen=True, slots=True)
class MeaningTerm(_Near):
    """`~"convergence rates"`: papers about this, by meaning rather than by its words."""

    text: str  # lowercased, spaces collapsed
    label: str


NearTerm = SeedTerm | MeaningTerm
