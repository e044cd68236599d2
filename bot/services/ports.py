"""The small interfaces through which services reach the world."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from bot.domain.channel import ChannelRef
from bot.domain.digest import Digest, DigestItem, ExplanationText
from bot.domain.listing import Listing
from bot.domain.paper import Paper
from bot.domain.replies import Reply


class SourceUnavailable(Exception):
    """A paper source did not answer; the message is safe to show in a channel."""


class ChannelUnavailable(Exception):
    """The platform will not take posts in this channel (archived, bot removed, missing scope)."""


class PaperSource(Protocol):
    """Where papers come from: arXiv, or a fake in tests."""

    async def fetch_papers(self, ids: Sequence[str]) -> list[Paper]:
        """Full metadata for these ids; unknown ids are left out."""
        ...

    async def search(self, query: str, max_results: int = 20) -> list[Paper]:
        """Papers matching an arXiv API query, newest first."""
        ...

    async def fetch_listing(self, categories: Sequence[str]) -> Listing:
        """Today's listing in these categories; those the source refuses are named in `refused`."""
        ...

    async def fetch_listed_papers(self, ids: Sequence[str], day: date | None) -> list[Paper]:
        """Full metadata of the listed papers the source knows yet, stamped with their day."""
        ...


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


@dataclass(frozen=True, slots=True)
class Section:
    """A named part of a paper's text: "2 Method", or "page 3" of a PDF."""

    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class FullText:
    """A paper's text beyond the abstract, and where it came from ("arXiv HTML" or "PDF")."""

    kind: str
    sections: tuple[Section, ...]


class FullTextSource(Protocol):
    """Where a paper's full text comes from: arXiv's HTML or PDF, or a fake in tests."""

    async def fetch(self, versioned_id: str) -> FullText | None:
        """The paper's text, or None when it cannot be had."""
        ...

    def close(self) -> None:
        """Release pooled connections."""
        ...


class Publisher(Protocol):
    """A platform's way of posting into a channel; each call returns the platform's message id."""

    platform: str

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        """Post the digest's parent message (or the empty-digest notice)."""
        ...

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        """Post one paper of the digest."""
        ...

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        """Post any other reply (a late-digest notice, say)."""
        ...

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        """The message an interrupted run posted for this paper, if the platform can tell; else None."""
        ...


class AdapterStartError(Exception):
    """An adapter could not connect (refused token, unreachable platform); the message says what to fix."""


class ChatAdapter(Protocol):
    """A platform connection: starts listening, registers its publisher, and stops."""

    platform: str

    async def start(self) -> None:
        """Connect and begin handling commands (returns once connected)."""
        ...

    async def wait_closed(self) -> None:
        """Return when the adapter stops on its own (the console reaching end of input)."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly."""
        ...
