"""The topic language people type in a channel: `convergence`, `cat:cs.LG AND diffusion`.

Besides words, a topic can ask for papers by similarity: `like:2602.10905` (papers like this one;
several joined by OR) and `~"convergence rates"` or `~convergence` (by meaning, not by words).
Such a topic is *semantic* (`Topic.is_semantic`): its `seeds` and `meanings` say which papers are
close, found outside the domain by embeddings; the rest of it (`cat:`, `-word`, words) is its
filter, tested as any word topic is (`Topic.passes`). A word topic has no seeds and no meanings
and works exactly as before. Where a seed or meaning may stand is in `bot.domain.topic_near`.

This is the public face: `parse_topic` for what someone types, `read_topic` for what is stored,
and `Topic`. Text analysis lives in
`bot.domain.paper_text`, the expression tree in `bot.domain.topic_terms`, the grammar and its
error messages in `bot.domain.topic_parser`, and the batch index in `bot.domain.topic_index`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from bot.domain import taxonomy
from bot.domain.paper import Paper
from bot.domain.paper_text import PaperText, analyze
from bot.domain.topic_lexer import TopicSyntaxError, quote
from bot.domain.topic_near import MeaningTerm, NearTerm, SeedTerm
from bot.domain.topic_parser import parse_expression
from bot.domain.topic_placement import split_near
from bot.domain.topic_terms import (
    And,
    AuthorTerm,
    CategoryTerm,
    Node,
    Not,
    Or,
    TextTerm,
    TopicMatch,
    match_key,
)

__all__ = [
    "Topic",
    "TopicMatch",
    "TopicSyntaxError",
    "as_stored",
    "matched_words",
    "parse_topic",
    "read_topic",
    "same_topic",
]


@dataclass(frozen=True)
class Topic:
    """A parsed topic; `text` is its normalized form, what we store and show back."""

    text: str
    expression: Node = field(repr=False, compare=False)
    # Terms typed more than once and kept once, to tell the person who typed them.
    repeats: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __str__(self) -> str:
        return self.text

    def matches(self, paper: Paper) -> TopicMatch | None:
        """Test one paper on its own; a PaperIndex is faster for a whole batch.

        A semantic topic says None: whether a paper is close takes a similarity search.
        """
        doc = analyze(paper)
        return self.explain(doc) if not self.is_semantic and self.expression.test(doc) else None

    @cached_property
    def near(self) -> tuple[NearTerm, ...]:
        """The seeds and meanings, in the topic's order; empty for a word topic."""
        return split_near(self.expression, self.text)[0]

    @property
    def is_semantic(self) -> bool:
        """Whether candidates come from a similarity search (then filtered), not from words."""
        return bool(self.near)

    @property
    def seeds(self) -> tuple[str, ...]:
        """The arXiv ids (version-free) of `like:` papers."""
        return tuple(t.arxiv_id for t in self.near if isinstance(t, SeedTerm))

    @property
    def meanings(self) -> tuple[str, ...]:
        """The texts of `~` meanings, lowercased."""
        return tuple(t.text for t in self.near if isinstance(t, MeaningTerm))

    @cached_property
    def filter(self) -> Node | None:
        """What a paper must also pass besides being close (`cat:cs.LG -survey`), or None."""
        return split_near(self.expression, self.text)[1]

    def passes(self, paper: Paper | PaperText) -> bool:
        """Whether a paper passes the topic's words, authors and categories (all of a word topic)."""
        doc = paper if isinstance(paper, PaperText) else analyze(paper)
        return self.expression.test(doc)  # seeds and meanings pass every paper

    @property
    def categories(self) -> frozenset[str]:
        """Categories and archives the topic asks for, so ingest knows which listings to fetch.

        Only those arXiv has: a class an older version stored unchecked would fail the listing.
        """
        return frozenset(c for c in self._category_labels() if taxonomy.category(c) or taxonomy.archive(c))

    @property
    def unknown_categories(self) -> frozenset[str]:
        """Categories the topic names that arXiv does not have (stored by an older version)."""
        return frozenset(c for c in self._category_labels() if c not in self.categories)

    def _category_labels(self) -> Iterator[str]:
        return (t.label[4:] for t in self.positive_terms if isinstance(t, CategoryTerm))

    @cached_property
    def key(self) -> str:
        """What the topic selects, as text: two topics with one key are the same topic."""
        return match_key(self.expression)

    def explain(self, doc: PaperText) -> TopicMatch:
        """Score a paper known to match, naming the terms it has, to show why it matched."""
        terms, score = [], 0.0
        for term in self.positive_terms:
            if weight := term.weight(doc):
                terms.append(term.label)
                score += weight
        return TopicMatch(self.text, tuple(terms), score)

    @cached_property
    def positive_terms(self) -> tuple[TextTerm | AuthorTerm | CategoryTerm, ...]:
        """The distinct terms a paper can match on (not those under NOT), in the topic's order."""
        unique: dict[str, TextTerm | AuthorTerm | CategoryTerm] = {}
        for term in _positive_terms(self.expression):
            unique.setdefault(term.label, term)
        return tuple(unique.values())


def parse_topic(text: str) -> Topic:
    """Parse what someone typed into a Topic, or say in one line what to fix."""
    expression, repeats = parse_expression(text)
    return Topic(str(expression), expression, repeats)


@lru_cache(maxsize=4096)
def read_topic(text: str) -> Topic:
    """A stored topic, checked only by the grammar, so one an older version accepted still works."""
    expression, _ = parse_expression(text, new=False)
    return Topic(str(expression), expression)


def read_stored(texts: Iterable[str]) -> tuple[list[Topic], tuple[str, ...]]:
    """A channel's stored topics that still read, and those that no longer do.

    A row no grammar can read (written by hand, by an old version, or damaged) must never stop the
    channel's digest, let alone another channel's: it is left out and named, so the channel can fix it.
    """
    topics: list[Topic] = []
    unreadable: list[str] = []
    for text in texts:
        try:
            topics.append(read_topic(text))
        except ValueError:  # TopicSyntaxError, or anything else the grammar chokes on
            unreadable.append(text)
    return topics, tuple(unreadable)


def unreadable_note(texts: Sequence[str]) -> str:
    """What a channel is told about stored topics that no longer read."""
    named = ", ".join(quote(text, width=60) for text in texts)
    return (
        f"The topic{'s' if len(texts) > 1 else ''} {named} can no longer be read, so "
        f"{'they bring' if len(texts) > 1 else 'it brings'} no papers: `unsubscribe` "
        f"{'them' if len(texts) > 1 else 'it'} and subscribe again, e.g. `subscribe convergence`."
    )


def same_topic(stored: Iterable[str], key: str) -> str | None:
    """The stored topic that selects what the topic with `key` does, however it was written."""
    for text in stored:
        try:
            if read_topic(text).key == key:
                return text
        except TopicSyntaxError:  # stored under a looser grammar: not the same topic
            continue
    return None


def as_stored(stored: Iterable[str], typed: str) -> str | None:
    """The stored topic someone means by `typed`, written their way or as stored."""
    try:
        return same_topic(stored, read_topic(typed).key)
    except TopicSyntaxError:
        return None


def matched_words(topic: Topic, match: TopicMatch, paper: Paper) -> tuple[str, ...]:
    """Why `paper` matched, for a reader: the paper's own words for text terms, else the terms."""
    shown: list[str] = []
    shown += [t.label for t in topic.near if t.label in match.terms]
    for term in topic.positive_terms:
        if term.label in match.terms:
            shown += _words(term, paper) if isinstance(term, TextTerm) else (term.label,)
    return tuple(dict.fromkeys(shown)) or match.terms


# Thousands of channels show the same few papers for the same terms: find their words once.
_WORDS_KEPT = 20_000
_words_found: dict[tuple[TextTerm, str, int], tuple[str, ...]] = {}


def _words(term: TextTerm, paper: Paper) -> tuple[str, ...]:
    key = (term, paper.arxiv_id, paper.version)
    found = _words_found.get(key)
    if found is None:
        if len(_words_found) >= _WORDS_KEPT:
            _words_found.clear()
        found = _words_found[key] = tuple(term.words(analyze(paper), paper))
    return found


def _positive_terms(node: Node) -> Iterator[TextTerm | AuthorTerm | CategoryTerm]:
    if isinstance(node, And | Or):
        for child in node.children:
            yield from _positive_terms(child)
    elif not isinstance(node, Not | SeedTerm | MeaningTerm):
        yield node
