"""Mutes: a word, an author or a category a channel never wants, whichever topic brings the paper.

`mute rendering`, `mute "neural rendering"`, `mute au:"Jane Doe"`, `mute cat:cs.CV`. A mute is one
term of the topic language, read exactly as a topic reads it (`mute render` also mutes
"rendering"; `ti:` and `abs:` narrow it to the title or abstract; `render*` is a prefix), and
stored in its normalised form. A paper with a muted term is removed from every topic's matches
in that channel, word topics and `like:` / `~` topics alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.domain.paper import Paper
from bot.domain.paper_text import PaperText, analyze
from bot.domain.topic_lexer import TopicSyntaxError, quote
from bot.domain.topic_near import MeaningTerm, SeedTerm
from bot.domain.topic_parser import parse_expression
from bot.domain.topic_terms import AuthorTerm, CategoryTerm, TextTerm, match_key

MAX_MUTES_PER_CHANNEL = 20
MUTE_EXAMPLES = '`mute rendering`, `mute au:"Jane Doe"` or `mute cat:cs.CV`'

MutedTerm = TextTerm | AuthorTerm | CategoryTerm


@dataclass(frozen=True, slots=True)
class Mute:
    """One muted term; `text` is its normalised form, what is stored and shown."""

    text: str
    term: MutedTerm

    @property
    def key(self) -> str:
        """What the mute removes, as text: `mute converges` is `mute convergence`."""
        return match_key(self.term)

    def silences(self, paper: Paper | PaperText) -> bool:
        """Whether the mute removes this paper."""
        return self.term.test(paper if isinstance(paper, PaperText) else analyze(paper))


def parse_mute(text: str) -> Mute:
    """What someone typed after `mute`, or a one-line error with an example of right."""
    if not text.strip():
        raise TopicSyntaxError(f"Mute what? Give one word, author or category, e.g. {MUTE_EXAMPLES}.")
    try:
        expression, _ = parse_expression(text)
    except TopicSyntaxError as error:
        raise TopicSyntaxError(f"{error} (a mute is written like a topic: {MUTE_EXAMPLES})") from None
    if isinstance(expression, SeedTerm | MeaningTerm):
        raise TopicSyntaxError(
            f"{quote(text)} can't be muted: a mute is a word, author or category, not a `like:` paper"
            f" or a `~` meaning, e.g. {MUTE_EXAMPLES}"
        )
    if not isinstance(expression, TextTerm | AuthorTerm | CategoryTerm):
        raise TopicSyntaxError(
            f'{quote(text)} is more than one term; a mute is one word, "phrase", author or category,'
            f" e.g. {MUTE_EXAMPLES}. Mute several with one `mute` each."
        )
    return Mute(str(expression), expression)


@lru_cache(maxsize=4096)
def read_mute(text: str) -> Mute | None:
    """A stored mute, or None when it no longer reads (it then mutes nothing, and stops nothing)."""
    try:
        expression, _ = parse_expression(text, new=False)
    except ValueError:
        return None
    if not isinstance(expression, TextTerm | AuthorTerm | CategoryTerm):
        return None
    return Mute(str(expression), expression)


def read_mutes(texts: Iterable[str]) -> tuple[Mute, ...]:
    """A channel's stored mutes that still read."""
    return tuple(mute for text in texts if (mute := read_mute(text)) is not None)


def same_mute(stored: Iterable[str], typed: str) -> str | None:
    """The stored mute someone means by `typed`, however they write it."""
    wanted = read_mute(typed)
    if wanted is None:
        return typed if typed in stored else None
    for text in stored:
        if (mute := read_mute(text)) is not None and mute.key == wanted.key:
            return text
    return None
