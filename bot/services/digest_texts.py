"""What a digest says beside its papers: explanations within a bounded wait, notes on the listing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.domain.channel import ChannelRef
from bot.domain.digest import NO_LLM_FALLBACK, PREVIEW_SKIPS_EXPLANATION, ExplanationText
from bot.domain.paper import Paper
from bot.domain.topics import Topic
from bot.ports import CachedExplanations, Explainer, Prefetching
from bot.services.catalog import IngestReport

STILL_WRITING = (
    "(The explanation is still being written — showing the abstract only; `explain {id}` will have it.)"
)


async def wait_for_explanations(
    explainer: Explainer, papers: Sequence[Paper], channels: Sequence[ChannelRef | None], wait: float | None
) -> list[ExplanationText]:
    """Every item's explanation, waiting at most `wait` seconds: the LLM never holds a digest back.

    The explainer bounds its own concurrency, and what is still being written when the wait ends
    goes on in the background and is cached for `explain`.
    """
    if not papers:
        return []
    if isinstance(explainer, Prefetching):
        await explainer.prefetch(papers)
    # Each call is charged to the channel beside it (budgets are per channel).
    tasks = [
        asyncio.ensure_future(explainer.explain(paper, channel=channel, full_text=False))
        for paper, channel in zip(papers, channels, strict=True)
    ]
    await asyncio.wait(tasks, timeout=wait)
    texts = []
    for paper, task in zip(papers, tasks, strict=True):
        if task.done():
            texts.append(task.result())
        else:
            task.cancel()
            texts.append(ExplanationText(STILL_WRITING.format(id=paper.arxiv_id), is_fallback=True))
    return texts


async def written_explanations(explainer: Explainer, papers: Sequence[Paper]) -> list[ExplanationText]:
    """A preview's explanations: those already written, else a note saying why there is none."""
    if not papers:
        return []
    if not isinstance(explainer, CachedExplanations):  # no LLM is configured
        return [ExplanationText(NO_LLM_FALLBACK, is_fallback=True) for _ in papers]
    found = await explainer.cached(papers)
    skipped = [
        ExplanationText(PREVIEW_SKIPS_EXPLANATION.format(id=p.arxiv_id), is_fallback=True) for p in papers
    ]
    return [found.get(p.arxiv_id, note) for p, note in zip(papers, skipped, strict=True)]


def listing_notes(topics: Sequence[Topic], report: IngestReport) -> list[str]:
    """What a channel must know about the listing behind its digest: it is late, or arXiv refuses
    a category its topics name."""
    notes = []
    if report.behind and report.expected_day is not None:
        notes.append(
            f"Late: arXiv's listing for {report.expected_day:%a %d %b} had not come out when this digest "
            "was made; its papers come in the next digest."
        )
    wanted = {c for topic in topics for c in topic.categories}
    if refused := sorted(wanted & report.refused):
        named = ", ".join(f"`{c}`" for c in refused)
        notes.append(
            f"arXiv no longer accepts the category {named} (renamed or retired?), so it brings no new "
            "papers; see https://arxiv.org/category_taxonomy and change the topics that name it."
        )
    if unknown := sorted({c for topic in topics for c in topic.unknown_categories}):
        named = ", ".join(f"`{c}`" for c in unknown)
        notes.append(
            f"arXiv has no category {named}, so it brings no papers; see "
            "https://arxiv.org/category_taxonomy and change the topics that name it."
        )
    return notes
