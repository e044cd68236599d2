"""What a digest item offers to mute: the topic words it matched, its first authors, its categories.

Each choice is the exact text `mute` takes, read by the mute parser and checked to remove this very
paper. Paper text is hostile: an author's name keeps only letters, digits, spaces and `.-'`
(so `@everyone` or `<!channel>` can't reach a menu as a mention), and a choice too long for the
platforms' menus is left out rather than cut (a cut name would mute someone else).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.mutes import Mute, parse_mute, read_mutes
from bot.domain.paper import Paper
from bot.domain.paper_text import PaperText, analyze
from bot.domain.topic_terms import TextTerm
from bot.domain.topics import Topic

MAX_AUTHOR_CHOICES = 3  # the first authors: who a paper is by, not all 2,000 of a collaboration
MAX_CHOICES = 25  # Discord's select menu holds 25 options, the fewest of our platforms
MAX_CHOICE_CHARS = 75  # Slack shows at most 75 characters of an option (Discord 100)
_SAFE_CHOICE = re.compile(r"[\w \".:*'\-]+")  # what a choice may hold: no <, @, `, links or markup
_NOT_IN_A_NAME = re.compile(r"[^\w\s.'\-]|_")


class MuteKind(StrEnum):
    """What a choice mutes, for a menu's description line."""

    WORD = "word"
    AUTHOR = "author"
    CATEGORY = "category"

    @property
    def describe(self) -> str:
        """`a word of your topics`: what the menu says under the choice."""
        return {
            MuteKind.WORD: "a word of this channel's topics",
            MuteKind.AUTHOR: "an author",
            MuteKind.CATEGORY: "an arXiv category",
        }[self]


@dataclass(frozen=True, slots=True)
class MuteChoice:
    """One thing an item offers to mute; `text` is exactly what `mute` takes (and stores)."""

    text: str
    kind: MuteKind


def mute_choices(paper: Paper, topics: Sequence[Topic], muted: Iterable[str] = ()) -> tuple[MuteChoice, ...]:
    """The words of `topics` that matched `paper`, its first authors and its categories, as mutes.

    Terms the channel has muted already (`muted`, as stored) are left out, and so is anything
    that would not parse, would not remove this paper, or holds more than a menu shows.
    """
    doc = analyze(paper)
    candidates: list[tuple[str, MuteKind]] = []
    for topic in topics:
        if topic.passes(doc):
            candidates += [
                (str(term), MuteKind.WORD)
                for term in topic.positive_terms
                if isinstance(term, TextTerm) and term.test(doc)
            ]
    for name in paper.authors[:MAX_AUTHOR_CHOICES]:
        plain = " ".join(_NOT_IN_A_NAME.sub(" ", name).split())
        if plain:
            candidates.append((f'au:"{plain}"', MuteKind.AUTHOR))
    candidates += [(f"cat:{category}", MuteKind.CATEGORY) for category in paper.categories]
    taken = {mute.key for mute in read_mutes(muted)}
    chosen: list[MuteChoice] = []
    for text, kind in candidates:
        mute = _offerable(text, doc)
        if mute is not None and mute.key not in taken:
            taken.add(mute.key)
            chosen.append(MuteChoice(mute.text, kind))
    return tuple(chosen[:MAX_CHOICES])


def _offerable(text: str, doc: PaperText) -> Mute | None:
    """The mute `text` reads as, if it is short, plain, and removes the paper; else None."""
    try:
        mute = parse_mute(text)
    except ValueError:  # TopicSyntaxError, or whatever else hostile text makes of the grammar
        return None
    if len(mute.text) > MAX_CHOICE_CHARS or not _SAFE_CHOICE.fullmatch(mute.text):
        return None
    return mute if mute.silences(doc) else None
