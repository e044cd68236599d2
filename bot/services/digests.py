"""Building a channel's digest: match its topics over new papers, drop what it has, rank, cap."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.domain.channel import ChannelState
from bot.domain.clock import Clock
from bot.domain.digest import (
    NO_LLM_FALLBACK,
    Digest,
    DigestItem,
    ExplanationText,
    MatchReason,
    disclaimer_for,
)
from bot.domain.paper import Paper
from bot.domain.topic_index import PaperIndex
from bot.domain.topics import Topic, TopicMatch, parse_topic
from bot.infra.storage.repository import Repository
from bot.services.catalog import IngestReport, PaperCatalog
from bot.services.ports import Explainer

STILL_WRITING = (
    "(The explanation is still being written — showing the abstract only; `explain {id}` will have it.)"
)
SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True, slots=True)
class DigestPlan:
    """A digest and the announcement day it covers, so the channel's read mark can move on."""

    digest: Digest
    covered_through: date | None


class MatchCache:
    """Matches of each distinct topic over the candidate papers, shared by every channel.

    Thousands of channels follow overlapping topics; each topic is evaluated once per batch of
    papers, not once per channel.
    """

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._papers: dict[str, Paper] = {}
        self._index: PaperIndex | None = None
        self._matches: dict[str, dict[str, TopicMatch]] = {}

    def load(self, key: tuple[object, ...], papers: Sequence[Paper]) -> None:
        """Use this batch of papers, dropping results computed on an older one."""
        if key == self._key:
            return
        self._key = key
        self._papers = {p.arxiv_id: p for p in papers}
        self._index = PaperIndex(papers)
        self._matches = {}

    def is_loaded(self, key: tuple[object, ...]) -> bool:
        """True when the cached batch is the one for `key`."""
        return key == self._key

    def match(self, topic: Topic) -> dict[str, TopicMatch]:
        """The papers this topic selects, computed once per batch."""
        found = self._matches.get(topic.text)
        if found is None:
            assert self._index is not None
            found = self._index.search(topic)
            self._matches[topic.text] = found
        return found

    def paper(self, arxiv_id: str) -> Paper:
        """A candidate paper by id."""
        return self._papers[arxiv_id]


class DigestBuilder:
    """Builds digests; knows nothing of platforms."""

    def __init__(
        self,
        repository: Repository,
        catalog: PaperCatalog,
        explainer: Explainer,
        clock: Clock,
        *,
        base_categories: Sequence[str],
        first_digest_days: int = 3,
        explain_wait: float | None = None,
    ):
        self._repository = repository
        self._catalog = catalog
        self._explainer = explainer
        self._clock = clock
        self._base_categories = tuple(base_categories)
        self._first_digest_days = first_digest_days
        self._explain_wait = explain_wait
        self._cache = MatchCache()
        self._cache_lock = asyncio.Lock()

    async def build(self, channel: ChannelState, *, explain: bool = True) -> DigestPlan:
        """The channel's next digest (not recorded anywhere: delivery does that)."""
        today = self._clock.now().astimezone(ZoneInfo(channel.schedule.timezone)).date()
        entries = await self._repository.topics(channel.ref)
        topics = [parse_topic(entry.topic) for entry in entries]
        if not topics:
            empty = self._empty(
                channel,
                today,
                (),
                "This channel follows no topics yet. Try `subscribe convergence`.",
            )
            return DigestPlan(empty, None)
        report = await self._catalog.refresh(self.categories_for(topics), everything=self.all_categories)
        since = channel.covered_through or (today - timedelta(days=self._first_digest_days))
        latest = await self._repository.latest_announced_day()
        async with self._cache_lock:
            key = (since, await self._repository.catalog_stamp())
            if not self._cache.is_loaded(key):
                self._cache.load(key, await self._repository.papers_announced_after(since))
            matched = self._collect(topics)
        delivered = await self._repository.delivered_ids(channel.ref, matched)
        ranked = sorted(
            (entry for arxiv_id, entry in matched.items() if arxiv_id not in delivered),
            key=lambda e: (-e[1], -e[0].published.timestamp(), e[0].arxiv_id),
        )
        chosen = ranked[: channel.max_papers]
        texts = await self._explanations([paper for paper, _, _ in chosen], channel, explain)
        items = tuple(
            DigestItem(position=n, paper=paper, reasons=reasons, score=score, explanation=text)
            for n, ((paper, score, reasons), text) in enumerate(zip(chosen, texts, strict=True), start=1)
        )
        topic_texts = tuple(t.text for t in topics)
        if not items:
            reason = self._empty_reason(today, report, since, latest)
            return DigestPlan(self._empty(channel, today, topic_texts, reason), latest)
        digest = Digest(
            channel=channel.ref,
            day=today,
            topics=topic_texts,
            items=items,
            more_available=len(ranked) - len(chosen),
            disclaimer=disclaimer_for(texts),
        )
        return DigestPlan(digest, latest)

    async def all_categories(self) -> set[str]:
        """Every category some channel's topics need, plus the base ones."""
        return self.categories_for([parse_topic(text) for text in await self._repository.distinct_topics()])

    def categories_for(self, topics: Sequence[Topic]) -> set[str]:
        """The listing to read: the configured base categories plus those the topics name."""
        wanted = set(self._base_categories)
        for topic in topics:
            wanted.update(topic.categories)
        return wanted

    def _collect(self, topics: Sequence[Topic]) -> dict[str, tuple[Paper, float, tuple[MatchReason, ...]]]:
        found: dict[str, tuple[Paper, float, tuple[MatchReason, ...]]] = {}
        for topic in topics:
            for arxiv_id, match in self._cache.match(topic).items():
                reason = MatchReason(topic=match.topic, terms=match.terms)
                if arxiv_id in found:
                    paper, score, reasons = found[arxiv_id]
                    found[arxiv_id] = (paper, score + match.score, (*reasons, reason))
                else:
                    found[arxiv_id] = (self._cache.paper(arxiv_id), match.score, (reason,))
        return found

    async def _explanations(
        self, papers: Sequence[Paper], channel: ChannelState, explain: bool
    ) -> list[ExplanationText]:
        """Every item's explanation, waiting at most `explain_wait` seconds: the LLM never holds a
        digest back. The explainer bounds its own concurrency, and what is still being written
        when the wait ends goes on in the background and is cached for `explain`."""
        if not explain or not papers:
            return [ExplanationText(NO_LLM_FALLBACK, is_fallback=True) for _ in papers]
        tasks = [
            asyncio.ensure_future(self._explainer.explain(paper, channel=channel.ref, full_text=False))
            for paper in papers
        ]
        await asyncio.wait(tasks, timeout=self._explain_wait)
        texts = []
        for paper, task in zip(papers, tasks, strict=True):
            if task.done():
                texts.append(task.result())
            else:
                task.cancel()
                texts.append(ExplanationText(STILL_WRITING.format(id=paper.arxiv_id), is_fallback=True))
        return texts

    def _empty(self, channel: ChannelState, today: date, topics: tuple[str, ...], reason: str) -> Digest:
        return Digest(channel=channel.ref, day=today, topics=topics, items=(), empty_reason=reason)

    def _empty_reason(self, today: date, report: IngestReport, since: date, latest: date | None) -> str:
        if today.weekday() in (SATURDAY, SUNDAY) or report.skipped:
            return (
                "Nothing new today: arXiv announces no new papers on Saturdays and Sundays. "
                "The next listing comes on Monday (Sunday evening US Eastern time)."
            )
        if latest is None or latest <= since:
            return "Nothing new yet: arXiv's listing has no papers announced since the last digest."
        return "Nothing new matched this channel's topics since the last digest."


def with_position(item: DigestItem, position: int) -> DigestItem:
    """The same item at another place (after some were dropped)."""
    return replace(item, position=position)
