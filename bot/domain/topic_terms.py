"""The compiled topic expression: leaves and boolean nodes, testable on one paper or on an index."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from bot.domain.paper import Paper
from bot.domain.paper_text import PaperText, TextField, Zone, phrases_in
from bot.domain.topic_near import MeaningTerm, SeedTerm

if TYPE_CHECKING:
    from bot.domain.topic_index import PaperIndex

TITLE_WEIGHT, ABSTRACT_WEIGHT, METADATA_WEIGHT = 3.0, 1.0, 0.5
SHOWN_WORDS = 5  # words shown for one term: `learn*` can match a dozen in one abstract


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """Why a paper matched a topic, and how well."""

    topic: str
    terms: tuple[str, ...]  # the terms the paper has, to show why it matched
    score: float  # higher is better


class _Term:
    """What every leaf shares: it prints as its label; author and category hits weigh little."""

    __slots__ = ()
    label: str

    def test(self, doc: PaperText) -> bool:
        """Whether one paper has the term."""
        raise NotImplementedError

    def select(self, index: PaperIndex) -> AbstractSet[int]:
        """The papers of an index that have the term."""
        raise NotImplementedError

    def weight(self, doc: PaperText) -> float:
        """A modest constant: an author or category says little about what a paper is about."""
        return METADATA_WEIGHT if self.test(doc) else 0.0

    def hits(self, index: PaperIndex) -> list[tuple[float, AbstractSet[int]]]:
        """The papers with the term, grouped by what the hit weighs, as `weight` scores it."""
        return [(METADATA_WEIGHT, self.select(index))]

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class TextTerm(_Term):
    """A word, "phrase" or prefix* in the title and/or abstract."""

    field: TextField
    stems: tuple[str, ...]  # for a prefix, the folded prefix itself
    prefix: bool
    common: bool  # only stopwords: would match nearly every paper alone
    label: str

    def _hit(self, zone: Zone) -> bool:
        if self.prefix:
            return zone.has_prefix(self.stems[0])
        if len(self.stems) == 1:
            return self.stems[0] in zone.stem_set
        return zone.has_phrase(self.stems)

    def weight(self, doc: PaperText) -> float:
        """What the term adds to a paper's score: a title hit counts more than an abstract hit."""
        title = self.field != "abs" and self._hit(doc.title)
        abstract = self.field != "ti" and self._hit(doc.abstract)
        return TITLE_WEIGHT * title + ABSTRACT_WEIGHT * abstract

    def test(self, doc: PaperText) -> bool:
        """Whether one paper has the term."""
        return any(self._hit(zone) for zone in doc.zones(self.field))

    def select(self, index: PaperIndex) -> AbstractSet[int]:
        """The papers of an index that have the term."""
        return self._select(index, self.field)

    def hits(self, index: PaperIndex) -> list[tuple[float, AbstractSet[int]]]:
        """The papers with the term in the title, then in the abstract, with those weights."""
        zones: list[tuple[TextField, float]] = [("ti", TITLE_WEIGHT), ("abs", ABSTRACT_WEIGHT)]
        return [(w, self._select(index, z)) for z, w in zones if self.field in ("any", z)]

    def words(self, doc: PaperText, paper: Paper) -> list[str]:
        """The paper's own words that this term matched, title first, each once, a few at most."""
        found: list[str] = []
        for zone, text, field in ((doc.title, paper.title, "ti"), (doc.abstract, paper.abstract, "abs")):
            if self.field not in ("any", field):
                continue
            if self.prefix:
                found += zone.words_with_prefix(self.stems[0])
            elif len(self.stems) == 1:
                found += zone.words_with_stem(self.stems[0])
            elif zone.has_phrase(self.stems):  # only a phrase needs the text again, for its order
                found += phrases_in(text, self.stems)
        return list(dict.fromkeys(found))[:SHOWN_WORDS]

    def _select(self, index: PaperIndex, field: TextField) -> AbstractSet[int]:
        if self.prefix:
            return index.with_prefix(field, self.stems[0])
        postings = [index.with_stem(field, s) for s in self.stems]
        return _in_all(index, postings, lambda doc: any(map(self._hit, doc.zones(field))))


def _in_order(needle: tuple[str, ...], name: tuple[str, ...]) -> bool:
    rest = iter(name)
    return all(token in rest for token in needle)


def _in_all(
    index: PaperIndex, postings: list[AbstractSet[int]], test: Callable[[PaperText], bool]
) -> AbstractSet[int]:
    """Papers in every posting list, re-checked one by one when word order matters."""
    if len(postings) == 1:
        return postings[0]
    postings.sort(key=len)
    return {i for i in set(postings[0]).intersection(*postings[1:]) if test(index.docs[i])}


@dataclass(frozen=True, slots=True)
class AuthorTerm(_Term):
    """A surname (any author with that name token) or a full name (its tokens in one author)."""

    tokens: tuple[str, ...]
    prefix: bool
    label: str

    def test(self, doc: PaperText) -> bool:
        """Whether one paper has such an author."""
        if self.prefix:
            return any(t.startswith(self.tokens[0]) for t in doc.author_tokens)
        if len(self.tokens) == 1:
            return self.tokens[0] in doc.author_tokens
        return any(_in_order(self.tokens, name) for name in doc.authors)

    def select(self, index: PaperIndex) -> AbstractSet[int]:
        """The papers of an index with such an author."""
        if self.prefix:
            return index.with_author_prefix(self.tokens[0])
        return _in_all(index, [index.with_author_token(t) for t in self.tokens], self.test)


@dataclass(frozen=True, slots=True)
class CategoryTerm(_Term):
    """An arXiv category (`cs.lg`) or a whole archive (`math`), cross-lists included."""

    value: str
    archive: bool
    label: str

    def test(self, doc: PaperText) -> bool:
        """Whether one paper is listed there."""
        return self.value in (doc.archives if self.archive else doc.categories)

    def select(self, index: PaperIndex) -> AbstractSet[int]:
        """The papers of an index listed there."""
        return index.in_archive(self.value) if self.archive else index.in_category(self.value)


@dataclass(frozen=True, slots=True)
class Not:
    """Papers without the child."""

    child: Node

    def test(self, doc: PaperText) -> bool:
        """Whether one paper lacks the child."""
        return not self.child.test(doc)

    def select(self, index: PaperIndex) -> AbstractSet[int]:
        """The papers of an index that lack the child."""
        return index.universe - self.child.select(index)

    def __str__(self) -> str:
        inner = str(self.child)
        return f"-{inner}" if isinstance(self.child, _Term) else f"-({inner})"


@dataclass(frozen=True, slots=True)
class And:
    """Papers with every child."""

    children: tuple[Node, ...]

    def test(self, doc: PaperText) -> bool:
        """Whether one paper has every child."""
        return all(child.test(doc) for child in self.children)

    def select(self, index: PaperIndex) -> AbstractSet[int]:
        """Intersect the positive children, smallest first, then subtract the negated ones."""
        wanted = [c.select(index) for c in self.children if not isinstance(c, Not)]
        wanted.sort(key=len)
        found = set(wanted[0]) if wanted else set(index.universe)
        for ids in wanted[1:]:
            found &= ids
        for child in self.children:
            if isinstance(child, Not) and found:
                found -= child.child.select(index)
        return found

    def __str__(self) -> str:
        return " ".join(f"({c})" if isinstance(c, Or) else str(c) for c in self.children)


@dataclass(frozen=True, slots=True)
class Or:
    """Papers with any child."""

    children: tuple[Node, ...]

    def test(self, doc: PaperText) -> bool:
        """Whether one paper has some child."""
        return any(child.test(doc) for child in self.children)

    def select(self, index: PaperIndex) -> AbstractSet[int]:
        """The union of the children's papers."""
        found: set[int] = set()
        for child in self.children:
            found |= child.select(index)
        return found

    def __str__(self) -> str:
        return " OR ".join(str(c) for c in self.children)


Node: TypeAlias = "TextTerm | AuthorTerm | CategoryTerm | SeedTerm | MeaningTerm | Not | And | Or"


def match_key(node: Node) -> str:
    """What a node selects, as text: equal for nodes that select the same papers the same way.

    Words are compared by their keys (`converge` and `convergence` are one), and the children of
    AND and OR in any order, so a topic that merely restates another is known as the same.
    """
    if isinstance(node, TextTerm):
        words = " ".join(node.stems)
        shown = f'"{words}"' if len(node.stems) > 1 else f"{words}*" if node.prefix else words
        return f"{node.field}:{shown}"
    if isinstance(node, AuthorTerm):
        name = " ".join(node.tokens)
        return f'au:"{name}"' if len(node.tokens) > 1 else f"au:{name}{'*' if node.prefix else ''}"
    if isinstance(node, CategoryTerm):
        return f"cat:{node.value}{'.*' if node.archive else ''}"
    if isinstance(node, SeedTerm):
        return f"like:{node.arxiv_id}"
    if isinstance(node, MeaningTerm):
        return f'~"{node.text}"'
    if isinstance(node, Not):
        return f"-({match_key(node.child)})"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(sorted(match_key(child) for child in node.children)) + ")"
