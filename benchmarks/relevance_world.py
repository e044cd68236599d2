"""The relevance benchmark's world: real services on a SQLite file, a fake arXiv replaying the corpus.

Every announcement day of the corpus is served by the fake arXiv as that day's RSS listing (and
its API answers look-ups of the day's ids); the services' clock and the arXiv gate's are one fake
clock, so the 3-second spacing is counted, not slept. Channels subscribe through `Engine.handle`,
digests are posted by `DigestDelivery.run` to an in-memory platform that records what each channel
was shown, and votes go through `Engine.handle` as the buttons send them (`cast_vote`).

Rankers that are not yet the product's (the SVM baseline, and Paperboy's ranking until the product
ranks with votes) are plugged into the digest at the builder's one choosing step
(`HarnessBuilder.choose`): the run, the ingest, the claims, the posts and the read marks are the
product's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Protocol

from bot.app import Services, build_services
from bot.domain.channel import Actor, ChannelRef, ChannelState
from bot.domain.commands import Subscribe, Vote
from bot.domain.digest import Digest, DigestItem, MatchReason
from bot.domain.paper import Paper
from bot.domain.replies import Notice, Outcome, Reply, Tone
from bot.infra.arxiv import ArxivSource, RequestGate
from bot.infra.storage.delivery_batches import DeliveryBatches
from bot.relevance.learned import LearnedRelevance
from bot.services import digests
from bot.services.delivery import DigestDelivery
from bot.services.learned_choice import Ranked
from bot.services.match_cache import Matched
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock

PLATFORM = "bench"
# Every archive the corpus has papers in: the daily listing reads them all, as a deployment whose
# channels span them would (cross-lists included).
ARCHIVES = (
    "astro-ph,cond-mat,cs,econ,eess,gr-qc,hep-ex,hep-lat,hep-ph,hep-th,math,math-ph,nlin,"
    "nucl-ex,nucl-th,physics,q-bio,q-fin,quant-ph,stat"
)
MORNING = time(12, 0)  # 08:00 in New York: the day's listing is out, the digests go


class Ranker(Protocol):
    """A ranking plugged in at the digest's choosing step, with the votes on what it showed."""

    def choose(
        self,
        channel: str,
        papers: Sequence[Paper],
        matched: Mapping[str, float],
        words: Sequence[str],
        cap: int,
    ) -> list[tuple[str, str]]:
        """The ids to show among the day's `papers`, best first, each with why it is there.

        `matched`: the topic's word matches (id -> score); `words`: today's ranking of them.
        """
        ...

    def learn(self, channel: str, votes: Sequence[tuple[Paper, bool]]) -> None:
        """The team's votes on what this ranker showed today."""
        ...


@dataclass
class ShownItems:
    """The chat platform, in memory: accepts every post and records what each channel was shown."""

    platform: str = PLATFORM
    shown: dict[str, list[Paper]] = field(default_factory=dict)

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        self.shown.setdefault(channel.channel_id, [])
        return f"{channel.channel_id}:h"

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        self.shown.setdefault(channel.channel_id, []).append(item.paper)
        return f"{parent}:{item.paper.arxiv_id}"

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        return f"{channel.channel_id}:r"

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        return None

    def take(self) -> dict[str, list[Paper]]:
        """What each channel was shown since the last call."""
        shown, self.shown = self.shown, {}
        return shown


class HarnessBuilder(digests.DigestBuilder):
    """The product's digest builder whose choosing step asks a plugged-in ranker for some channels."""

    rankers: dict[str, Ranker]
    day: date | None = None

    def choose(
        self,
        channel: ChannelState,
        matched: Matched,
        delivered: AbstractSet[str],
        reachable_after: date | None = None,
        *,
        pk: int | None = None,
    ) -> tuple[list[Ranked], int]:
        """The plugged-in ranker's choice among the day's papers; the product's own otherwise."""
        ranker = self.rankers.get(channel.ref.channel_id)
        if ranker is None:
            return super().choose(channel, matched, delivered, reachable_after, pk=pk)
        words, _ = super().choose(channel, matched, delivered, reachable_after)
        papers = [
            p for p in matched.papers.values() if p.announced == self.day and p.arxiv_id not in delivered
        ]
        papers.sort(key=lambda p: p.arxiv_id)
        scores = {a: s for a, s in matched.scores.items() if a not in delivered}
        order = [paper.arxiv_id for paper, _, _ in words]
        reasons = {paper.arxiv_id: why for paper, _, why in words}
        chosen = ranker.choose(channel.ref.channel_id, papers, scores, order, channel.max_papers)
        by_id = matched.papers
        ranked = [
            (by_id[a], scores.get(a, 0.0), reasons.get(a) or (MatchReason(why, ()),)) for a, why in chosen
        ]
        return ranked, 0


@dataclass
class World:
    """The services, the fake arXiv, the clock, the recording platform, and the delivery run."""

    services: Services
    arxiv: FakeArxiv
    clock: FakeClock
    gate: RequestGate
    shown: ShownItems
    # The product's delivery, built as `bot/app.py` builds the engine's, with the builder whose
    # choosing step asks the plugged-in rankers (every other channel: the product's own choice).
    harness: DigestDelivery
    builder: HarnessBuilder

    def open_day(self, day: date) -> None:
        """arXiv's listing of `day` is out and it is that morning."""
        self.arxiv.listing_day = day
        self.clock.set_now(datetime.combine(day, MORNING, tzinfo=UTC))
        self.builder.day = day


@asynccontextmanager
async def build_world(
    days: Sequence[tuple[date, list[Paper]]], folder: Path, per_digest: int
) -> AsyncIterator[World]:
    """The fake arXiv serving each day of the corpus, services built on it, torn down afterwards."""
    first = datetime.combine(days[0][0], MORNING, tzinfo=UTC)
    clock = FakeClock(wall_start=first)
    with FakeArxiv([]) as arxiv:
        for day, papers in days:
            for paper in papers:
                arxiv.add_paper(paper, "new", day=day)
        arxiv.listing_day = days[0][0]
        gate = RequestGate(3.0, clock)
        source = ArxivSource(arxiv.api_url, arxiv.rss_url, gate=gate, timeout=60, retries=2, clock=clock)
        settings = Settings(
            _env_file=None,
            data_dir=folder,
            database_url=f"sqlite+aiosqlite:///{folder / 'paperboy.db'}",
            arxiv_api_url=arxiv.api_url,
            arxiv_rss_url=arxiv.rss_url,
            arxiv_categories=ARCHIVES,
            default_max_papers=per_digest,
            first_digest_days=1,
        )
        services = await build_services(settings, clock=clock, source=source)
        try:
            shown = ShownItems()
            services.engine.register_publisher(shown)
            engine = services.engine
            batches = DeliveryBatches(services.database)
            builder = HarnessBuilder(
                services.repository,
                services.catalog,
                engine.explainer,
                clock,
                services.stores.mutes,
                LearnedRelevance(services.repository, services.stores.votes),
                batches,
                base_categories=settings.ingest_categories,
                first_digest_days=settings.first_digest_days,
                explain_wait=settings.llm_digest_wait,
            )
            builder.rankers = {}
            harness = DigestDelivery(
                services.catalog,
                builder,
                batches,
                engine.delivery.posts,
                engine.publishers,
                clock,
            )
            yield World(services, arxiv, clock, gate, shown, harness, builder)
        finally:
            await services.close()
            source.close()


TEAM = Actor("team-member", "A member of the team", can_manage=True)


def channel_ref(name: str) -> ChannelRef:
    """A simulated channel on the in-memory platform."""
    return ChannelRef(PLATFORM, "W", name, name)


async def subscribe(world: World, ref: ChannelRef, topic: str) -> None:
    """The team types its topic, as in the chat."""
    _refused(await world.services.engine.handle(ref, TEAM, Subscribe(topic)), f"subscribe {topic}")


async def cast_vote(world: World, ref: ChannelRef, member: Actor, arxiv_id: str, up: bool) -> None:
    """One member's 👍 or 👎 on an item, through the command path the buttons use (`Vote`)."""
    engine = world.services.engine
    _refused(await engine.handle(ref, member, Vote(arxiv_id, up)), f"vote on {arxiv_id}")


def _refused(outcome: Outcome, what: str) -> None:
    """A command the bot refused or failed stops the run: a lost vote would skew every figure."""
    if isinstance(outcome.reply, Notice) and outcome.reply.tone is Tone.ERROR:
        raise SystemExit(f"`{what}` was refused: {outcome.reply.text}")


def member(arxiv_id: str, members: int = 3) -> Actor:
    """Which member of the team votes on an item: several people, one vote each per paper."""
    return Actor(f"member-{sum(arxiv_id.encode()) % members}", can_manage=False)
