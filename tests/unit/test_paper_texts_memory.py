"""Full texts asked for by thousands of explains over months leave no locks behind."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.domain.paper import Paper
from bot.ports import Completion, FullText, Section
from bot.services.paper_text import PaperTexts


class CountingModel:
    """A language model that counts tokens as words (the core's LanguageModel interface)."""

    model = "test/words"
    provider = "test"

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> Completion:
        return Completion("")

    async def count_tokens(self, text: str) -> int:
        return len(text.split())

    async def close(self) -> None:
        pass


class SlowFullText:
    """A full-text source that answers when released, counting fetches per paper."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.fetches: dict[str, int] = {}

    async def fetch(self, versioned_id: str) -> FullText | None:
        self.fetches[versioned_id] = self.fetches.get(versioned_id, 0) + 1
        await self.release.wait()
        return FullText("arXiv HTML", (Section("1 Introduction", f"Text of {versioned_id}."),))

    def close(self) -> None:
        pass


def paper(n: int) -> Paper:
    moment = datetime(2026, 11, 23, tzinfo=UTC)
    return Paper(f"2611.{n:05d}", 1, f"Paper {n}", ("A",), "Abstract.", ("cs.LG",), "cs.LG", moment, moment)


async def test_cancelled_and_finished_fetches_leave_no_lock_behind() -> None:
    source = SlowFullText()
    texts = PaperTexts(CountingModel(), source, max_tokens=1000)
    waiting = [asyncio.create_task(texts.text(paper(n % 300))) for n in range(600)]
    await asyncio.sleep(0)
    for task in waiting[::3]:  # people give up: a third of the requests are cancelled mid-fetch
        task.cancel()
    await asyncio.sleep(0)
    source.release.set()
    done = await asyncio.gather(*waiting, return_exceptions=True)
    assert len(texts.locks) == 0
    read = [d for d in done if not isinstance(d, BaseException)]
    assert read and all("full text" in d.source for d in read)
    # Concurrent asks for one paper still share one fetch.
    assert max(source.fetches.values()) <= 2
