"""How topics meet a batch of papers: an inverted index, searched by set operations.

A semantic topic (`like:`, `~`) selects no papers by words: its candidates come from a similarity
search, handed to `search` as `near` (each candidate's `Nearness`), and the index keeps those that
pass the topic's filter. Without `near`, a semantic topic matches nothing here.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from functools import cached_property
from typing import TYPE_CHECKING

from bot.domain.paper import Paper
from bot.domain.paper_text import PaperText, TextField, analyze
from bot.domain.topic_near import Nearness
from bot.domain.topic_terms import ABSTRACT_WEIGHT, METADATA_WEIGHT, TITLE_WEIGHT, Node, TopicMatch

if TYPE_CHECKING:
    from bot.domain.topics import Topic

# The weights are re-exported because a score from `search` is made of them.
__all__ = ["ABSTRACT_WEIGHT", "METADATA_WEIGHT", "TITLE_WEIGHT", "Nearness", "PaperIndex"]

_EMPTY: frozenset[int] = frozenset()


def _with_prefix(
    vocabulary: list[str], postings: Mapping[str, AbstractSet[int]], prefix: str
) -> AbstractSet[int]:
    found: set[int] = set()
    for i in range(bisect_left(vocabulary, prefix), len(vocabulary)):
        if not vocabulary[i].startswith(prefix):
            break
        found |= postings[vocabulary[i]]
    return found


class PaperIndex:
    """Inverted index over a batch of papers, so thousands of topics need no scan per paper."""

    def __init__(self, papers: Iterable[Paper]) -> None:
        self.docs: tuple[PaperText, ...] = tuple(analyze(p) for p in papers)
        self.universe: frozenset[int] = frozenset(range(len(self.docs)))
        self._ids = tuple(doc.arxiv_id for doc in self.docs)
        self._positions = {arxiv_id: i for i, arxiv_id in enumerate(self._ids)}
        # Title and abstract postings; "either" is their union, made only for stems asked about
        # (thousands of papers' vocabularies would otherwise be held a third time).
        self._stems: dict[str, dict[str, set[int]]] = {"ti": defaultdict(set), "abs": defaultdict(set)}
        self._either: dict[str, AbstractSet[int]] = {}
        self._authors: dict[str, set[int]] = defaultdict(set)
        self._categories: dict[str, set[int]] = defaultdict(set)
        self._archives: dict[str, set[int]] = defaultdict(set)
        title, abstract = self._stems["ti"], self._stems["abs"]
        for i, doc in enumerate(self.docs):
            for s in doc.title.stem_set:
                title[s].add(i)
            for s in doc.abstract.stem_set:
                abstract[s].add(i)
            for t in doc.author_tokens:
                self._authors[t].add(i)
            for c in doc.categories:
                self._categories[c].add(i)
            for a in doc.archives:
                self._archives[a].add(i)

    def search(self, topic: Topic, near: Mapping[str, Nearness] | None = None) -> dict[str, TopicMatch]:
        """Every paper of the batch that `topic` matches, found by set operations on postings.

        A semantic topic matches the papers of `near` (its similarity search's candidates) that
        pass its filter, scored by their nearness plus the filter's words; without `near`, none.
        """
        selected = topic.expression.select(self)  # a semantic topic's: those passing its filter
        if topic.is_semantic:
            close = {i for a in near or () if (i := self._positions.get(a)) is not None}
            selected = close & selected
        # Papers that hit the same terms in the same zones share one TopicMatch: split the
        # result by each term's hits instead of scoring paper by paper.
        groups: list[tuple[tuple[str, ...], float, AbstractSet[int]]] = [((), 0.0, selected)]
        for term in topic.positive_terms:
            for weight, hit in term.hits(self):
                split: list[tuple[tuple[str, ...], float, AbstractSet[int]]] = []
                for labels, score, ids in groups:
                    if inside := ids & hit:
                        named = labels if labels[-1:] == (term.label,) else (*labels, term.label)
                        split.append((named, score + weight, inside))
                    if outside := ids - hit:
                        split.append((labels, score, outside))
                groups = split
        found: dict[str, TopicMatch] = {}
        for labels, score, ids in groups:
            if topic.is_semantic and near is not None:
                for i in ids:
                    how = near[self._ids[i]]
                    found[self._ids[i]] = TopicMatch(topic.text, (how.label, *labels), how.score + score)
                continue
            match = TopicMatch(topic.text, labels, score)
            found.update((self._ids[i], match) for i in ids)
        return found

    def passing(self, topic: Topic) -> frozenset[str]:
        """The papers of the batch that pass the topic's words, authors and categories.

        For a semantic topic, the papers its similarity search need consider; for a word topic,
        exactly those `search` finds.
        """
        return self.having(topic.expression)

    def having(self, node: Node) -> frozenset[str]:
        """The papers of the batch a term or expression selects (a mute's, say)."""
        return frozenset(self._ids[i] for i in node.select(self))

    def with_stem(self, field: TextField, stem: str) -> AbstractSet[int]:
        """Papers whose field has a word with this stem."""
        if field != "any":
            return self._stems[field].get(stem, _EMPTY)
        found = self._either.get(stem)
        if found is None:
            found = self._stems["ti"].get(stem, _EMPTY) | self._stems["abs"].get(stem, _EMPTY)
            self._either[stem] = found
        return found

    def with_prefix(self, field: TextField, prefix: str) -> AbstractSet[int]:
        """Papers whose field has a word starting with `prefix`."""
        if field == "any":
            return self.with_prefix("ti", prefix) | self.with_prefix("abs", prefix)
        vocabulary, postings = self._words[field]
        return _with_prefix(vocabulary, postings, prefix)

    def with_author_token(self, token: str) -> AbstractSet[int]:
        """Papers with an author whose name has this (folded) token."""
        return self._authors.get(token, _EMPTY)

    def with_author_prefix(self, prefix: str) -> AbstractSet[int]:
        """Papers with an author name token starting with `prefix`."""
        return _with_prefix(self._author_vocabulary, self._authors, prefix)

    def in_category(self, category: str) -> AbstractSet[int]:
        """Papers listed (primary or cross-list) in a lowercase category like `cs.lg`."""
        return self._categories.get(category, _EMPTY)

    def in_archive(self, archive: str) -> AbstractSet[int]:
        """Papers listed in any category of an archive like `math`."""
        return self._archives.get(archive, _EMPTY)

    @cached_property
    def _words(self) -> dict[str, tuple[list[str], dict[str, set[int]]]]:
        # Built on the first prefix query only: most batches never see one.
        words: dict[str, dict[str, set[int]]] = {"ti": defaultdict(set), "abs": defaultdict(set)}
        for i, doc in enumerate(self.docs):
            for field, zone in (("ti", doc.title), ("abs", doc.abstract)):
                for t in zone.tokens:
                    words[field][t].add(i)
        return {f: (sorted(words[f]), words[f]) for f in words}

    @cached_property
    def _author_vocabulary(self) -> list[str]:
        return sorted(self._authors)
