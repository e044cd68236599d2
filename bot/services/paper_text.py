"""What the LLM reads about a paper: its full text trimmed to a token budget, else the abstract."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.domain.paper import Paper
from bot.ports import FullText, FullTextSource, LanguageModel, Section

ABSTRACT_SOURCE = "title and abstract"
SOURCE_MAX_CHARS = 190
RECENT_TEXTS = 32


@dataclass(frozen=True, slots=True)
class PaperText:
    """The text given to the LLM beyond title and abstract, and a description of it."""

    body: str
    source: str


class KeyedLocks:
    """One lock per key, kept only while someone holds or awaits it: memory stays bounded."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Hold the key's lock; whatever happens inside (cancellation too), forget it when unused."""
        lock, users = self._locks.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            _, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class PaperTexts:
    """Fetches and trims full texts, remembering the last few so `ask` after `explain` reads the same."""

    def __init__(self, llm: LanguageModel, full_text: FullTextSource | None, max_tokens: int) -> None:
        self._llm = llm
        self._full_text = full_text
        self.max_tokens = max_tokens
        self._recent: OrderedDict[str, PaperText] = OrderedDict()
        self.locks = KeyedLocks()

    async def text(self, paper: Paper) -> PaperText:
        """The trimmed full text of this paper version, or the abstract alone."""
        if self._full_text is None:
            return PaperText("", ABSTRACT_SOURCE)
        key = paper.versioned_id
        async with self.locks.hold(key):  # one fetch per paper, however many ask at once
            found = self._recent.get(key)
            if found is None:
                fetched = await self._full_text.fetch(key)
                found = await self._trim(fetched) if fetched else PaperText("", ABSTRACT_SOURCE)
                self._recent[key] = found
                while len(self._recent) > RECENT_TEXTS:
                    self._recent.popitem(last=False)
        return found

    async def _trim(self, full: FullText) -> PaperText:
        kept: list[Section] = []
        left = self.max_tokens
        partial = False
        for section in full.sections:
            block = _block(section)
            tokens = await self._llm.count_tokens(block)
            if tokens <= left:
                kept.append(section)
                left -= tokens
                continue
            piece = await self._shorten(section, left)
            if piece is not None:
                kept.append(piece)
                partial = True
            break
        if not kept:
            return PaperText("", ABSTRACT_SOURCE)
        body = "\n\n".join(_block(s) for s in kept)
        return PaperText(body, describe(full.kind, kept, partial))

    async def _shorten(self, section: Section, budget: int) -> Section | None:
        """The longest head of `section` within `budget` tokens (None if hardly anything fits)."""
        if budget < 100:
            return None
        block = _block(section)
        tokens = await self._llm.count_tokens(block)
        chars = int(len(section.text) * budget / max(tokens, 1))
        for _ in range(8):
            piece = Section(section.heading, section.text[:chars].rstrip() + " …")
            if await self._llm.count_tokens(_block(piece)) <= budget:
                return piece
            chars = int(chars * 0.85)
        return None


def describe(kind: str, sections: list[Section], partial: bool) -> str:
    """`full text (arXiv HTML: 1 Introduction, 2 Method, …)` or `full text (PDF, pages 1–7)`."""
    if kind == "PDF":
        pages = [s.heading.removeprefix("page ") for s in sections]
        span = pages[0] if len(pages) == 1 else f"{pages[0]}–{pages[-1]}"
        return f"full text (PDF, page{'s' if len(pages) > 1 else ''} {span}{', in part' if partial else ''})"
    names: list[str] = []
    for section in sections:
        candidate = ", ".join([*names, section.heading])
        if len(f"full text ({kind}: {candidate}, …)") > SOURCE_MAX_CHARS:
            names.append("…")
            break
        names.append(section.heading)
    if partial and names[-1] != "…":
        names[-1] += " (in part)"
    return f"full text ({kind}: {', '.join(names)})"


def _block(section: Section) -> str:
    return f"## {section.heading}\n{section.text}"
