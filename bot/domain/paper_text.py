"""Text analysis for matching: a paper and a topic's words reduced to the same folded stems."""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import snowballstemmer

from bot.domain.paper import Paper

TextField = Literal["any", "ti", "abs"]
TEXT_FIELDS: tuple[TextField, ...] = ("any", "ti", "abs")

# Letters of any script and digits make words; an apostrophe inside keeps "newton's" whole.
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_STEMMER = snowballstemmer.stemmer("english")


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
    # Interned: thousands of papers share their words, and an index holds every paper's.
    tokens = [sys.intern(t) for t in tokenize(text)]
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
