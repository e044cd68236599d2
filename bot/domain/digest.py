"""A digest: the papers one channel gets at one time, ranked, each with why it matched."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.domain.channel import ChannelRef
from bot.domain.paper import Paper

DISCLAIMER_ABSTRACTS = (
    "Auto-generated from arXiv metadata + an LLM reading only titles/abstracts. "
    "Equations are interpretive; always verify with the PDF."
)
DISCLAIMER_FULL_TEXT = (
    "Auto-generated from arXiv metadata + an LLM reading each paper's full text where arXiv had it "
    "(each explanation says what it read). Equations are interpretive; always verify with the PDF."
)
NO_LLM_FALLBACK = (
    "(No LLM key configured — showing abstract only. "
    "Set LLM_PROVIDER + an API key secret to enable math explanations.)"
)

# A preview calls no LLM: it shows explanations already written, and this note for the others.
PREVIEW_SKIPS_EXPLANATION = (
    "(Previews write no explanations: the digest asks the LLM for this one, "
    "and `explain {id}` writes it now.)"
)


@dataclass(frozen=True, slots=True)
class MatchReason:
    """One subscribed topic that selected the paper and the words that made it match, or, for a
    paper the channel's learned ranking added, why: `like <title of a liked paper>` or
    `close to ~<topic>` (`learned`)."""

    topic: str
    terms: tuple[str, ...]  # the paper's own words that matched, and author or category terms
    learned: bool = False

    def describe(self) -> str:
        """`convergence (converge, convergent)`; just the topic when that is all that matched."""
        if self.learned or self.terms in ((), (self.topic,)):
            return self.topic
        return f"{self.topic} ({', '.join(self.terms)})"


@dataclass(frozen=True, slots=True)
class ExplanationText:
    """An LLM explanation ready to show, or the note that stands in for one."""

    text: str
    model: str = ""
    source: str = "title and abstract"
    is_fallback: bool = False


def disclaimer_for(explanations: Iterable[ExplanationText]) -> str:
    """The seed's disclaimer, unless some explanation read more than the title and abstract."""
    read_more = any(not e.is_fallback and e.source.startswith("full text") for e in explanations)
    return DISCLAIMER_FULL_TEXT if read_more else DISCLAIMER_ABSTRACTS


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One paper of a digest at its place in the ranking (1-based)."""

    position: int
    paper: Paper
    reasons: tuple[MatchReason, ...]
    score: float
    explanation: ExplanationText = field(
        default_factory=lambda: ExplanationText(NO_LLM_FALLBACK, is_fallback=True)
    )

    @property
    def why(self) -> str:
        """Every reason in one line."""
        return "; ".join(reason.describe() for reason in self.reasons)

    @property
    def why_label(self) -> str:
        """`Matched` when the channel's words chose it, `Why` when its learned ranking did."""
        return "Why" if any(reason.learned for reason in self.reasons) else "Matched"


@dataclass(frozen=True, slots=True)
class Digest:
    """What a channel gets: a header and ranked items, or an empty digest with the reason."""

    channel: ChannelRef
    day: date
    topics: tuple[str, ...]
    items: tuple[DigestItem, ...]
    empty_reason: str = ""
    disclaimer: str = DISCLAIMER_ABSTRACTS
    more_available: int = 0
    # The delivery run posting it, so a platform can tag each post and find it after a crash.
    run_id: str = ""
    # A preview: shown to whoever asked, recording nothing (so `more` would post these papers first).
    is_preview: bool = False

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to post but the reason."""
        return not self.items

    def more_note(self, command: str) -> str:
        """`25 more matched; `more` posts the next 10`, with the platform's command; "" if none."""
        if not self.more_available or not self.items:
            return ""
        following = min(self.more_available, len(self.items))
        when = "after the digest, " if self.is_preview else ""
        return f"{self.more_available} more matched; {when}`{command}` posts the next {following}"
