"""The topic language people type in a channel: `convergence`, `cat:cs.LG AND diffusion`.

This is the public face: `parse_topic` and `Topic`. Text analysis lives in
`bot.domain.paper_text`, the expression tree in `bot.domain.topic_terms`, the grammar and its
error messages in `bot.domain.topic_parser`, and the batch index in `bot.domain.topic_index`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from bot.domain.paper import Paper
from bot.domain.paper_text import PaperText, analyze
from bot.domain.topic_parser import TopicSyntaxError, parse_expression
from bot.domain.topic_terms import And, AuthorTerm, CategoryTerm, Node, Not, Or, TextTerm, TopicMatch

__all__ = ["Topic", "TopicMatch", "TopicSyntaxError", "parse_topic"]


@dataclass(frozen=True)
class Topic:
    """A parsed topic; `text` is its normalized form, what we store and show back."""

    text: str
    expression: Node = field(repr=False, compare=False)

    def __str__(self) -> str:
        return self.text

    def matches(self, paper: Paper) -> TopicMatch | None:
        """Test one paper on its own; a PaperIndex is faster for a whole batch."""
        doc = analyze(paper)
        return self.explain(doc) if self.expression.test(doc) else None

    @property
    def categories(self) -> frozenset[str]:
        """Categories and archives the topic asks for, so ingest knows which listings to fetch."""
        return frozenset(t.label[4:] for t in self.positive_terms if isinstance(t, CategoryTerm))

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
    expression = parse_expression(text)
    return Topic(str(expression), expression)


def _positive_terms(node: Node) -> Iterator[TextTerm | AuthorTerm | CategoryTerm]:
    if isinstance(node, And | Or):
        for child in node.children:
            yield from _positive_terms(child)
    elif not isinstance(node, Not):
        yield node
