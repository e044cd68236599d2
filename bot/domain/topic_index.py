"""How topics meet papers: text analysis, the compiled topic expression, and an inverted index."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import TYPE_CHECKING, Literal, TypeAlias

import snowballstemmer

from bot.domain.paper import Paper

if TYPE_CHECKING:
    from bot.domain.topics import Topic

TITLE_WEIGHT, ABSTRACT_WEIGHT, METADATA_WEIGHT = 3.0, 1.0, 0.5

TextField = Literal["any", "ti", "abs"]
TEXT_FIELDS: tuple[TextField, ...] = ("any", "ti", "abs")

# Letters of any script and digits make words; an apostrophe inside keeps "newton's" whole.
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_STEMMER = snowballstemmer.stemmer("english")
_EMPTY: frozenset[int] = frozenset()


def fold(text: str) -> str:
    """Lowercase and drop accents, so `Müller`, `MULLER` and `muller` compare equal."""
    text = text.casefold().replace("\u2019", "'")
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).translate(_combining_marks())


@cache
def _combining_marks() -> dict[int, None]:
    # Accents and other combining marks all live below U+20000.
    return {c: None for c in range(0x20000) if unicodedata.combining(chr(c))}


def tokenize(text: str) -> list[str]:
    """Split text into folded word tokens, the unit both topics and papers are compared in."""
    return _TOKEN.findall(fold(text))


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """The English stem, so convergence, converges and convergent meet; cached as words repeat."""
    return str(_STEMMER.stemWord(token))


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """Why a paper matched a topic, and how well."""

    topic: str
    terms: tuple[str, ...]  # the terms the paper has, to show why it matched
    score: float  # higher is better


@dataclass(frozen=True, slots=True)
class Zone:
    """One searchable text of a paper (its title or its abstract), analysed once."""

    tokens: frozenset[str]
    stems: tuple[str, ...]
    stem_set: frozenset[str]

    def has_phrase(self, phrase: tuple[str, ...]) -> bool:
        """True when the stems of `phrase` occur here consecutively."""
        stems, n, at = self.stems, len(phrase), -1
        try:
            while True:
                at = stems.index(phrase[0], at + 1)
                if stems[at : at + n] == phrase:
                    return True
        except ValueError:
            return False

    def has_prefix(self, prefix: str) -> bool:
        """True when some word here starts with `prefix`."""
        return any(t.startswith(prefix) for t in self.tokens)


def _zone(text: str) -> Zone:
    tokens = tokenize(text)
    stems = tuple(map(stem, tokens))
    return Zone(frozenset(tokens), stems, frozenset(stems))


@dataclass(frozen=True, slots=True)
class PaperText:
    """A paper reduced to what topics look at: stems, author tokens, categories."""

    arxiv_id: str
    title: Zone
    abstract: Zone
    authors: tuple[tuple[str, ...], ...]
    author_tokens: frozenset[str]
    categories: frozenset[str]
    archives: frozenset[str]

    def zones(self, field: TextField) -> tuple[Zone, ...]:
        """The zones a text field searches: title, abstract, or both."""
        if field == "ti":
            return (self.title,)
        if field == "abs":
            return (self.abstract,)
        return (self.title, self.abstract)


@lru_cache(maxsize=8192)
def analyze(paper: Paper) -> PaperText:
    """Tokenize and stem a paper once, however many topics look at it."""
    authors = tuple(tuple(tokenize(name)) for name in paper.authors)
    categories = frozenset(c.strip().lower() for c in paper.categories if c.strip())
    return PaperText(
        arxiv_id=paper.arxiv_id,
        title=_zone(paper.title),
        abstract=_zone(paper.abstract),
        authors=authors,
        author_tokens=frozenset(t for name in authors for t in name),
        categories=categories,
        archives=frozenset(c.split(".", 1)[0] for c in categories),
    )


# ---- the expression: leaves and boolean nodes, testable on one paper or on an index ----


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


Node: TypeAlias = "TextTerm | AuthorTerm | CategoryTerm | Not | And | Or"


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
        self._stems: dict[str, dict[str, set[int]]] = {f: defaultdict(set) for f in TEXT_FIELDS}
        self._authors: dict[str, set[int]] = defaultdict(set)
        self._categories: dict[str, set[int]] = defaultdict(set)
        self._archives: dict[str, set[int]] = defaultdict(set)
        title, abstract, both = self._stems["ti"], self._stems["abs"], self._stems["any"]
        for i, doc in enumerate(self.docs):
            for s in doc.title.stem_set:
                title[s].add(i)
            for s in doc.abstract.stem_set:
                abstract[s].add(i)
            for s in doc.title.stem_set | doc.abstract.stem_set:
                both[s].add(i)
            for t in doc.author_tokens:
                self._authors[t].add(i)
            for c in doc.categories:
                self._categories[c].add(i)
            for a in doc.archives:
                self._archives[a].add(i)

    def search(self, topic: Topic) -> dict[str, TopicMatch]:
        """Every paper of the batch that `topic` matches, found by set operations on postings."""
        # Papers that hit the same terms in the same zones share one TopicMatch: split the
        # result by each term's hits instead of scoring paper by paper.
        groups: list[tuple[tuple[str, ...], float, AbstractSet[int]]] = [
            ((), 0.0, topic.expression.select(self))
        ]
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
            match = TopicMatch(topic.text, labels, score)
            found.update((self._ids[i], match) for i in ids)
        return found

    def with_stem(self, field: TextField, stem: str) -> AbstractSet[int]:
        """Papers whose field has a word with this stem."""
        return self._stems[field].get(stem, _EMPTY)

    def with_prefix(self, field: TextField, prefix: str) -> AbstractSet[int]:
        """Papers whose field has a word starting with `prefix`."""
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
        words: dict[str, dict[str, set[int]]] = {f: defaultdict(set) for f in TEXT_FIELDS}
        for i, doc in enumerate(self.docs):
            for field, zone in (("ti", doc.title), ("abs", doc.abstract)):
                for t in zone.tokens:
                    words[field][t].add(i)
                    words["any"][t].add(i)
        return {f: (sorted(words[f]), words[f]) for f in TEXT_FIELDS}

    @cached_property
    def _author_vocabulary(self) -> list[str]:
        return sorted(self._authors)
