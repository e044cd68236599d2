"""The naive design the benchmark compares against: a regular expression per topic, tried on every
paper, and one arXiv query per subscription.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.paper import Paper
from bot.domain.topic_terms import And, AuthorTerm, CategoryTerm, Node, Not, Or, TextTerm
from bot.domain.topics import parse_topic
from bot.domain.word_stems import MARK

SEPARATOR = r"\W+"


def _pattern(node: Node) -> str:
    """A pattern matching at position 0 exactly when the paper's text satisfies the node."""
    match node:
        case TextTerm(stems=stems, prefix=prefix):
            # A regex knows word starts, not our marks of a different word (`comput~er`).
            words = SEPARATOR.join(re.escape(s.split(MARK)[0]) for s in stems)
            return rf"(?=.*?\b{words}\w*)" if prefix or len(stems) == 1 else rf"(?=.*?\b{words})"
        case AuthorTerm(tokens=tokens):
            return rf"(?=.*?^authors:.*?\b{SEPARATOR.join(map(re.escape, tokens))})"
        case CategoryTerm(value=value, archive=archive):
            tail = r"[.\w-]*" if archive else ""
            return rf"(?=.*?\bcat:{re.escape(value)}{tail}\b)"
        case Not(child=child):
            return f"(?!{_pattern(child)})"
        case And(children=children):
            return "".join(_pattern(c) for c in children)
        case Or(children=children):
            return "(?:" + "|".join(_pattern(c) for c in children) + ")"
    raise TypeError(node)


def compile_topic(text: str) -> re.Pattern[str]:
    """One compiled regular expression for a topic, as a naive bot would keep."""
    return re.compile(_pattern(parse_topic(text).expression), re.IGNORECASE | re.DOTALL | re.MULTILINE)


def paper_document(paper: Paper) -> str:
    """The text a regular expression is run over: title, abstract, authors, categories."""
    categories = " ".join(f"cat:{c}" for c in paper.categories)
    return f"{paper.title}\n{paper.abstract}\nauthors: {', '.join(paper.authors)}\n{categories}"


@dataclass(frozen=True, slots=True)
class NaiveMatching:
    """Regular expressions measured on a sample of topics, over every paper."""

    topics: int
    pairs: int
    cpu_seconds: float
    matches: int

    @property
    def pairs_per_second(self) -> float:
        """Topic-paper pairs tested per CPU second."""
        return self.pairs / self.cpu_seconds if self.cpu_seconds else 0.0


def naive_matching(topics: Sequence[str], papers: Sequence[Paper]) -> NaiveMatching:
    """Compile each topic, run it over every paper; CPU time of the whole."""
    started = time.process_time()
    documents = [paper_document(p) for p in papers]
    matches = 0
    for text in topics:
        pattern = compile_topic(text)
        matches += sum(1 for doc in documents if pattern.match(doc))
    spent = time.process_time() - started
    return NaiveMatching(len(topics), len(topics) * len(papers), spent, matches)


def arxiv_query(topic: str) -> str:
    """The arXiv API query a naive bot would send for one subscription."""
    expression = parse_topic(topic).expression
    term = next(iter(_leaves(expression)))
    match term:
        case TextTerm(stems=stems):
            return f"all:{stems[0].split(MARK)[0]}"
        case AuthorTerm(tokens=tokens):
            return f"au:{tokens[-1]}"
        case CategoryTerm(value=value):
            return f"cat:{value}"
    raise TypeError(term)


def _leaves(node: Node) -> list[TextTerm | AuthorTerm | CategoryTerm]:
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in _leaves(child)]
    if isinstance(node, Not):
        return []
    return [node]
