"""A run's candidate papers as one matrix: what every channel's model scores, and its masks.

Built once per delivery run (or per change of the candidates) and shared by every channel: the
model of a channel scores the whole batch in one matrix product, and the papers a channel may get
(announced after its read mark, in its categories, not delivered or muted) are boolean masks,
each `since` and each category scope computed once.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import NDArray

from bot.domain.paper import Paper
from bot.relevance.model import Matrix, Vector
from bot.relevance.ranking import features

Mask = NDArray[np.bool_]


@dataclass
class CandidateBatch:
    """The candidates' ids, vectors (unit rows), the model's features of them, and their masks."""

    ids: tuple[str, ...]
    vectors: Matrix
    announced: NDArray[np.int64]  # each paper's announcement day as an ordinal, -1 if unknown
    categories: list[tuple[str, ...]]
    row: dict[str, int] = field(init=False)
    features: Matrix = field(init=False)
    _since: dict[date | None, Mask] = field(default_factory=dict, init=False)
    _scopes: dict[frozenset[str], Mask] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.row = {a: i for i, a in enumerate(self.ids)}
        self.features = features(self.vectors)

    @classmethod
    def of(
        cls, papers: Mapping[str, Paper], vectors: Mapping[str, Vector], dimensions: int
    ) -> CandidateBatch:
        """The batch of these papers, whose vectors are all in `vectors`."""
        ids = tuple(papers)
        matrix = np.array([vectors[a] for a in ids], np.float32).reshape(len(ids), dimensions)
        # A paper not yet stamped with its announcement day passes no `since`, as in word matching.
        announced = np.array(
            [p.announced.toordinal() if p.announced else -1 for p in papers.values()], np.int64
        )
        return cls(ids, matrix, announced, [p.categories for p in papers.values()])

    def allowed(self, since: date | None, scope: frozenset[str] | None, excluded: AbstractSet[str]) -> Mask:
        """The candidates announced after `since`, in `scope` (categories or archives), not excluded."""
        mask = self._since_mask(since)
        if scope is not None:
            mask = mask & self._scope_mask(scope)
        gone = [i for a in excluded if (i := self.row.get(a)) is not None]
        if gone:
            mask = mask.copy()
            mask[gone] = False
        return mask

    def close_to(
        self, anchor: Vector, ids: AbstractSet[str] | Mapping[str, object], cut: float
    ) -> dict[str, float]:
        """Those of `ids` in the batch whose cosine to `anchor` is at least `cut`, with it."""
        rows = [(a, i) for a in ids if (i := self.row.get(a)) is not None]
        if not rows:
            return {}
        similarity = self.vectors[[i for _, i in rows]] @ anchor
        return {a: float(s) for (a, _), s in zip(rows, similarity, strict=True) if s >= cut}

    def _since_mask(self, since: date | None) -> Mask:
        found = self._since.get(since)
        if found is None:
            found = self._since[since] = self.announced > (since.toordinal() if since else -1)
        return found

    def _scope_mask(self, scope: frozenset[str]) -> Mask:
        found = self._scopes.get(scope)
        if found is None:
            inside = [
                any(c in scope or c.partition(".")[0] in scope for c in cats) for cats in self.categories
            ]
            found = self._scopes[scope] = np.array(inside, bool)
        return found


EMPTY = CandidateBatch((), np.zeros((0, 1), np.float32), np.zeros(0, np.int64), [])
