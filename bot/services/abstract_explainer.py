"""The explainer used when no LLM is configured: the abstract and the seed's fallback line."""

from __future__ import annotations

from bot.domain.channel import ChannelRef
from bot.domain.digest import NO_LLM_FALLBACK, ExplanationText
from bot.domain.paper import Paper


class AbstractOnlyExplainer:
    """Says, in the predecessor bot's exact words, that no LLM is configured."""

    async def explain(
        self,
        paper: Paper,
        *,
        channel: ChannelRef | None = None,
        full_text: bool = True,
        user: str | None = None,
    ) -> ExplanationText:
        """The fallback note; adapters show the abstract beside it."""
        return ExplanationText(NO_LLM_FALLBACK, is_fallback=True)

    async def answer(
        self, paper: Paper, question: str, *, channel: ChannelRef | None = None, user: str | None = None
    ) -> ExplanationText:
        """Questions need an LLM too."""
        return ExplanationText(NO_LLM_FALLBACK, is_fallback=True)
