"""What explanations need: an explainer for services, and a language model behind it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.domain.channel import ChannelRef
from bot.domain.digest import ExplanationText
from bot.domain.paper import Paper


class Explainer(Protocol):
    """Turns a paper into an explanation; the LLM issue plugs a real one in."""

    async def explain(
        self,
        paper: Paper,
        *,
        channel: ChannelRef | None = None,
        full_text: bool = True,
        user: str | None = None,
    ) -> ExplanationText:
        """An explanation, or a fallback note that says why there is none.

        `full_text=False` (digests) writes from the title and abstract, with no request to arXiv.
        `user` is the person who asked (`user_key`), whose daily allowance a new call counts against;
        digests have none.
        """
        ...

    async def answer(
        self, paper: Paper, question: str, *, channel: ChannelRef | None = None, user: str | None = None
    ) -> ExplanationText:
        """An answer to a question about the paper, asked by `user`."""
        ...


@runtime_checkable
class Prefetching(Protocol):
    """An explainer that can read many cached explanations at once (the LLM one does)."""

    async def prefetch(self, papers: Sequence[Paper]) -> None:
        """Load what is cached for these papers, so asking for each costs no query."""
        ...


@runtime_checkable
class CachedExplanations(Protocol):
    """An explainer that can show what it already wrote without writing anything (for previews)."""

    async def cached(self, papers: Sequence[Paper]) -> dict[str, ExplanationText]:
        """The stored explanations of these papers, by arXiv id; no LLM call."""
        ...


class LlmUnavailable(Exception):
    """The LLM gave no answer; the message is safe to show in a channel (it never holds a key)."""


class LlmTimedOut(LlmUnavailable):
    """The LLM did not answer within our timeout."""


class LlmKeyRejected(LlmUnavailable):
    """The provider refused the API key: retrying cannot help, the operator must fix it."""

    def __init__(self, provider: str) -> None:
        super().__init__(f"the LLM provider {provider} rejected LLM_API_KEY")
        self.provider = provider


@dataclass(frozen=True, slots=True)
class Completion:
    """One LLM answer and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    # The server reported no token usage: the counts are ours (litellm's counter), never zero.
    usage_estimated: bool = False

    @property
    def tokens(self) -> int:
        """Prompt and completion tokens together: what budgets count."""
        return self.prompt_tokens + self.completion_tokens


class LanguageModel(Protocol):
    """A chat model behind some provider; `model` names it (`openai/gpt-4o-mini`)."""

    model: str
    provider: str

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> Completion:
        """The model's reply; raises LlmUnavailable (or a subclass) when there is none."""
        ...

    async def count_tokens(self, text: str) -> int:
        """Tokens this text takes for this model."""
        ...

    async def close(self) -> None:
        """Release pooled connections."""
        ...
