"""Where papers and their full texts come from: arXiv, or a fake in tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.domain.listing import Listing
from bot.domain.paper import Paper


class SourceUnavailable(Exception):
    """A paper source did not answer; the message is safe to show in a channel."""


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
