"""`like:` and `~` topics said in words, for replies: `papers like "Title" (2602.10905)`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.domain.topics import Topic
from bot.ports import PaperStore

TITLE_CHARS = 120


async def near_titles(repository: PaperStore, topics: Iterable[Topic]) -> dict[str, str]:
    """The stored titles of these topics' `like:` papers (looked up when they were subscribed)."""
    seeds = sorted({seed for topic in topics for seed in topic.seeds})
    papers = await repository.papers(seeds) if seeds else {}
    return {arxiv_id: paper.title for arxiv_id, paper in papers.items()}


def describe_near(topic: Topic, titles: Mapping[str, str]) -> str:
    """What a semantic topic follows: its papers by title, its meanings, and its filter."""
    papers: list[str] = []
    for seed in topic.seeds:
        title = " ".join(titles.get(seed, "").split())
        if len(title) > TITLE_CHARS:
            title = title[: TITLE_CHARS - 1] + "…"
        papers.append(f'"{title}" ({seed})' if title else seed)
    parts = [f"papers like {' or '.join(papers)}"] if papers else []
    parts += [f'papers about "{text}" (by meaning)' for text in topic.meanings]
    said = " or ".join(parts)
    if topic.filter is not None:
        said += f" that match `{topic.filter}`"
    return said
