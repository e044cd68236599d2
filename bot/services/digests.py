"""Building a channel's digest: match its topics over new papers, drop what it has, rank, cap."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.domain.channel import ChannelRef, ChannelState
from bot.domain.clock import Clock
from bot.domain.digest import (
    Digest,
    DigestItem,
    ExplanationText,
    disclaimer_for,
)
from bot.domain.empty_digest import empty_reason
from bot.domain.mutes import Mute, read_mutes
from bot.domain.paper import Paper
from bot.domain.topics import Topic, read_stored, unreadable_note
from bot.domain.votes import RankingStatus
from bot.ports import DeliveryBatchStore, Explainer, Mutes, Relevance, Storage
from bot.services.catalog import IngestReport, PaperCatalog
from bot.services.digest_texts import listing_notes, wait_for_explanations, written_explanations
from bot.services.learned_choice import Ranked, choose_learned, word_reasons
from bot.services.match_cache import MatchCache, Matched


@dataclass(frozen=True, slots=True)
class DigestPlan:
    """A digest and the announcement day it covers, so the channel's read mark can move on."""

    digest: Digest
    covered_through: date | None


class DigestBuilder:
    """Builds digests; knows nothing of platforms.

    `build` previews one channel; `DigestDelivery` posts to many with the same steps (`since`,
    `matches`, `choose`, `assemble`), reading their topics and deliveries in batches.
    """

    def __init__(
        self,
        repository: Storage,
        catalog: PaperCatalog,
        explainer: Explainer,
        clock: Clock,
        mutes: Mutes,
        relevance: Relevance,
        batches: DeliveryBatchStore,
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
        self.explain_wait = explain_wait
        self._relevance = relevance
        self._batches = batches
        self._cache = MatchCache(near=relevance.near)
        self._mutes = mutes
        self._cache_lock = asyncio.Lock()

    async def build(self, channel: ChannelState, *, explain: bool = True) -> DigestPlan:
        """The channel's next digest, posted nowhere and recorded nowhere: what `preview` shows."""
        today = self.today(channel)
        entries = await self._repository.topics(channel.ref)
        topics, unreadable = read_stored(entry.topic for entry in entries)
        if not topics and not unreadable:
            return DigestPlan(self.no_topics(channel, today), None)
        report = await self._catalog.refresh(self.categories_for(topics), everything=self.all_categories)
        latest = await self._catalog.seen_through()
        since = self.since(channel, today, latest)
        mutes = read_mutes(await self._mutes.of_channel(channel.ref))
        pk = await self._pk(channel)
        async with self._cache_lock:
            await self.load_candidates(since)
            await self.prepare_ranking({pk: topics})
            matched = self.matches(topics, since, mutes)
        wanted = matched.papers if self._relevance.ranks(pk) else matched.scores  # a model picks any
        delivered = await self._repository.delivered_ids(channel.ref, wanted)
        reachable = self.reachable_after(since, today, latest, channel)
        chosen, left = self.choose(channel, matched, delivered, reachable, pk=pk)
        papers = [paper for paper, _, _ in chosen]
        texts = await self.explanations(papers, [channel.ref] * len(papers), explain)
        return self.assemble(
            channel, today, topics, chosen, texts, left, report, since, latest, unreadable=unreadable
        )

    def today(self, channel: ChannelState) -> date:
        """The channel's date in its own time zone."""
        return self._clock.now().astimezone(ZoneInfo(channel.schedule.timezone)).date()

    def since(self, channel: ChannelState, today: date, latest: date | None) -> date:
        """Papers announced after this day are new to the channel: its read mark, or the recent ones."""
        return channel.covered_through or self.recent(today, latest, channel)

    def recent(self, today: date, latest: date | None, channel: ChannelState | None = None) -> date:
        """Where a first digest (and `more`) starts: `first_digest_days` before arXiv's latest listing,
        or a week before it for a weekly channel, whose digest is the week's best papers.

        Counting from the latest announcement day rather than from today, a first digest always
        holds at least that day's papers, on a Tuesday as after a holiday with no listings.
        """
        days = self._first_digest_days
        if channel is not None and (span := channel.schedule.span_days) is not None:
            days = max(days, span)
        return (latest or today) - timedelta(days=days)

    def reachable_after(
        self, since: date, today: date, latest: date | None, channel: ChannelState | None = None
    ) -> date | None:
        """Papers announced after this day are within `more`'s reach; None when all of `since`'s are."""
        recent = self.recent(today, latest, channel)
        return recent if recent > since else None

    def no_topics(self, channel: ChannelState, today: date) -> Digest:
        """What a channel that follows nothing is told."""
        return self._empty(
            channel, today, (), "This channel follows no topics yet. Try `subscribe convergence`."
        )

    async def load_candidates(self, since: date) -> None:
        """Make sure the match cache holds every paper announced after `since` (hold the lock)."""
        stamp = await self._repository.catalog_stamp()
        if not self._cache.covers(stamp, since):
            self._cache.load(stamp, since, await self._repository.papers_announced_after(since))

    @property
    def relevance(self) -> Relevance:
        """Meaning and the channels' models, for what starts after an ingest."""
        return self._relevance

    async def prepare_ranking(self, channels: dict[int, list[Topic]]) -> None:
        """Ready the learned rankings of these channels over the loaded candidates (hold the lock)."""
        await self._relevance.prepare(self._cache.papers, channels)

    async def ranking_status(self, channel: ChannelState) -> RankingStatus:
        """How the channel's learned ranking stands, for `settings`."""
        topics, _ = read_stored(entry.topic for entry in await self._repository.topics(channel.ref))
        return await self._relevance.status(await self._pk(channel), topics)

    async def _pk(self, channel: ChannelState) -> int:
        stored = await self._batches.channels([channel.ref])
        return stored[0].pk if stored else -1

    @property
    def cache_lock(self) -> asyncio.Lock:
        """Held while the match cache is loaded or read."""
        return self._cache_lock

    async def mutes_of(self, pks: Sequence[int]) -> dict[int, tuple[Mute, ...]]:
        """Each stored channel's mutes that still read."""
        return {pk: read_mutes(texts) for pk, texts in (await self._mutes.of_channels(pks)).items()}

    def matches(self, topics: Sequence[Topic], since: date, mutes: Sequence[Mute] = ()) -> Matched:
        """Every paper announced after `since` that some topic selects and no mute removes, scored.

        This runs once per channel over thousands of channels, so it only adds numbers; the
        reasons are put together in `choose`, for the few papers chosen.
        """
        cache = self._cache
        per_topic = tuple(cache.match(t) for t in topics)
        total: dict[str, float] = {}
        for topic in topics:
            scores = cache.scores(topic)
            if not total:
                total = dict(scores)
                continue
            get = total.get
            for arxiv_id, score in scores.items():
                total[arxiv_id] = get(arxiv_id, 0.0) + score
        if cache.since is not None and since > cache.since:
            papers = cache.papers
            total = {a: v for a, v in total.items() if (papers[a].announced or since) > since}
        muted = frozenset(cache.muted(mutes)) if mutes else frozenset()
        for arxiv_id in muted:
            total.pop(arxiv_id, None)
        return Matched(total, tuple(topics), per_topic, cache.papers, cache.order, since, muted)

    def choose(
        self,
        channel: ChannelState,
        matched: Matched,
        delivered: AbstractSet[str],
        reachable_after: date | None = None,
        *,
        pk: int | None = None,
    ) -> tuple[list[Ranked], int]:
        """The channel's best papers it does not have yet, and how many more `more` can post.

        A channel (`pk`) whose votes taught it a model gets its model's order (`learned_choice`).
        Otherwise best is the highest score, then the newest, then the lowest id. Papers announced
        before `reachable_after` (a channel back from a long pause) are left out of the count.
        """
        if pk is not None and (learned := choose_learned(self._relevance, pk, channel, matched, delivered)):
            return learned
        fresh = matched.scores
        if delivered:
            fresh = dict(fresh)
            for arxiv_id in delivered:
                fresh.pop(arxiv_id, None)
        cap = channel.max_papers
        pool = list(fresh)
        if len(pool) > cap:
            threshold = sorted(fresh.values(), reverse=True)[cap - 1]
            pool = [a for a, score in fresh.items() if score >= threshold]
        order = matched.order
        pool.sort(key=lambda a: (-fresh[a], order[a]))
        chosen = [(matched.papers[a], fresh[a], word_reasons(matched, a)) for a in pool[:cap]]
        left = len(fresh) - len(chosen)
        if left and reachable_after is not None:
            picked = set(pool[:cap])
            papers = matched.papers
            left = sum(
                1
                for a in fresh
                if a not in picked and (papers[a].announced or reachable_after) > reachable_after
            )
        return chosen, left

    def assemble(
        self,
        channel: ChannelState,
        today: date,
        topics: Sequence[Topic],
        chosen: Sequence[Ranked],
        texts: Sequence[ExplanationText],
        more: int,
        report: IngestReport,
        since: date,
        latest: date | None,
        *,
        more_command: bool = False,
        unreadable: Sequence[str] = (),
    ) -> DigestPlan:
        """The digest of the chosen papers, or the empty digest with its reason.

        `unreadable`: stored topics that no longer read; the channel is told, the rest goes on.
        """
        items = tuple(
            DigestItem(position=n, paper=paper, reasons=reasons, score=score, explanation=text)
            for n, ((paper, score, reasons), text) in enumerate(zip(chosen, texts, strict=True), start=1)
        )
        topic_texts = tuple(t.text for t in topics)
        notes = listing_notes(topics, report) + ([unreadable_note(unreadable)] if unreadable else [])
        if not items:
            reason = empty_reason(
                today=today,
                since=since,
                latest=latest,
                skipped=report.skipped,
                first_digest=channel.last_digest_at is None,
                more=more_command,
                behind=report.behind and report.expected_day is not None,
            )
            reason = " ".join([reason, *notes])
            return DigestPlan(self._empty(channel, today, topic_texts, reason), latest)
        digest = Digest(
            channel=channel.ref,
            day=today,
            topics=topic_texts,
            items=items,
            more_available=more,
            disclaimer=" ".join([*notes, disclaimer_for(texts)]),
        )
        return DigestPlan(digest, latest)

    async def all_categories(self) -> set[str]:
        """Every category some channel's topics need, plus the base ones."""
        readable, _ = read_stored(await self._repository.distinct_topics())
        return self.categories_for(readable)

    def categories_for(self, topics: Sequence[Topic]) -> set[str]:
        """The listing to read: the configured base categories plus those the topics name."""
        wanted = set(self._base_categories)
        for topic in topics:
            wanted.update(topic.categories)
        return wanted

    async def explanations(
        self, papers: Sequence[Paper], channels: Sequence[ChannelRef | None], explain: bool = True
    ) -> list[ExplanationText]:
        """Every item's explanation, waiting at most `explain_wait` seconds (see `digest_texts`)."""
        if not explain:
            return await written_explanations(self._explainer, papers)
        return await wait_for_explanations(self._explainer, papers, channels, self.explain_wait)

    def _empty(self, channel: ChannelState, today: date, topics: tuple[str, ...], reason: str) -> Digest:
        return Digest(channel=channel.ref, day=today, topics=topics, items=(), empty_reason=reason)
