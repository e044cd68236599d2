"""Text analysis for matching: a paper and a topic's words reduced to the same folded stems."""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from bot.domain.paper import Paper
from bot.domain.word_stems import stem

__all__ = [
    "TEXT_FIELDS",
    "PaperText",
    "TextField",
    "Zone",
    "analyze",
    "fold",
    "phrases_in",
    "stem",
    "tokenize",
]

TextField = Literal["any", "ti", "abs"]
TEXT_FIELDS: tuple[TextField, ...] = ("any", "ti", "abs")

# Letters of any script and digits make words; an apostrophe inside keeps "newton's" whole.
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


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

    def words_with_stem(self, key: str) -> list[str]:
        """The distinct words here with this stem, in alphabetical order (to show a reader)."""
        return sorted(t for t in self.tokens if stem(t) == key) if key in self.stem_set else []

    def words_with_prefix(self, prefix: str) -> list[str]:
        """The distinct words here starting with `prefix`, in alphabetical order."""
        return sorted(t for t in self.tokens if t.startswith(prefix))


def phrases_in(text: str, phrase: tuple[str, ...]) -> list[str]:
    """Each distinct run of words in `text` whose stems are `phrase`, as the text writes it."""
    tokens = tokenize(text)
    stems, n = [stem(t) for t in tokens], len(phrase)
    runs = (" ".join(tokens[i : i + n]) for i in range(len(tokens)) if tuple(stems[i : i + n]) == phrase)
    return list(dict.fromkeys(runs))


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
