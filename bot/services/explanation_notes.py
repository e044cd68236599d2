"""What a person reads instead of an explanation or an answer, and why: a short note, never a trace."""

from __future__ import annotations

from bot.domain.digest import ExplanationText
from bot.domain.paper import Paper
from bot.ports import LlmKeyRejected
from bot.services.paper_text import ABSTRACT_SOURCE
from bot.services.spending import Refusal


def note(paper: Paper, reason: str) -> ExplanationText:
    """The abstract stands in; the note says why and that `explain` tries again."""
    return ExplanationText(
        f"(No explanation this time: {reason}. Showing the abstract only; "
        f"`explain {paper.arxiv_id}` tries again later.)",
        source=ABSTRACT_SOURCE,
        is_fallback=True,
    )


def key_rejected_note(error: LlmKeyRejected) -> ExplanationText:
    """Retrying cannot help: the operator must fix the key."""
    return ExplanationText(
        f"(No explanation: {error}. Showing the abstract only; the operator should check the key.)",
        source=ABSTRACT_SOURCE,
        is_fallback=True,
    )


def refusal_note(paper: Paper, refusal: Refusal, *, answer: bool = False) -> ExplanationText:
    """A budget has no room: which one, when it renews, and what still comes without the LLM."""
    if not refusal.personal:
        return note(paper, refusal.reason)
    if answer:
        text = (
            f"(No answer: {refusal.reason}. Explanations already written still show, for you too: "
            f"`explain {paper.arxiv_id}` gives this paper's, or its abstract.)"
        )
    else:
        text = (
            f"(No new explanation: {refusal.reason}. Explanations already written still show, "
            "for you too. Showing the abstract only.)"
        )
    return ExplanationText(text, source=ABSTRACT_SOURCE, is_fallback=True)
