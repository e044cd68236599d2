"""Wiring: one function builds every service from the settings; nothing else constructs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import Clock, SystemClock
from bot.domain.schedule import Schedule, parse_weekdays
from bot.infra.arxiv.fulltext import ArxivFullText
from bot.infra.arxiv.gate import RequestGate
from bot.infra.arxiv.shared_gate import gate_for_database
from bot.infra.arxiv.source import ArxivSource
from bot.infra.llm.client import LlmClient
from bot.infra.llm.config import LlmConfig
from bot.infra.storage.database import create_engine
from bot.infra.storage.delivery_batches import DeliveryBatches
from bot.infra.storage.digest_times import DigestTimes
from bot.infra.storage.listing_store import ListingStore
from bot.infra.storage.llm_store import LlmStore
from bot.infra.storage.migrate import upgrade_database
from bot.infra.storage.mutes import MuteStore
from bot.infra.storage.paper_misses import PaperMisses
from bot.infra.storage.platform_state import PlatformState
from bot.infra.storage.repository import Repository
from bot.infra.storage.seen_requests import SeenRequests
from bot.infra.storage.user_usage import UserUsageStore
from bot.infra.storage.votes import Votes
from bot.ports import (
    ChannelStore,
    DeliveryLedger,
    Explainer,
    ListedPapers,
    ListingLog,
    MissLog,
    Mutes,
    PaperSource,
    PaperStore,
    PlatformStateStore,
    SeenRequestLog,
    Subscriptions,
    ThreadLookup,
    VoteStore,
)
from bot.services.abstract_explainer import AbstractOnlyExplainer
from bot.services.catalog import PaperCatalog
from bot.services.delivery import DigestDelivery
from bot.services.digests import DigestBuilder
from bot.services.engine import Engine
from bot.services.explanations import LlmExplainer
from bot.services.lookup_limits import LookupLimits
from bot.services.posting import ClaimedPosts
from bot.services.publishers import Publishers
from bot.services.spending import Spending
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services.prewrite import Prewriter
    from bot.services.scheduled import ScheduledJobs


@dataclass(frozen=True)
class Stores:
    """Every store on the database, each typed on its port: adapters and tools take what they need."""

    channels: ChannelStore
    subscriptions: Subscriptions
    papers: PaperStore
    listing_log: ListingLog
    deliveries: DeliveryLedger
    threads: ThreadLookup
    votes: VoteStore
    mutes: Mutes
    listed: ListedPapers
    misses: MissLog
    platform_state: PlatformStateStore
    seen_requests: SeenRequestLog

    @classmethod
    def on(cls, repository: Repository, settings: Settings, clock: Clock) -> Stores:
        """The stores of this repository's database, the repository's own parts among them."""
        database = repository.engine
        return cls(
            channels=repository.channels,
            subscriptions=repository.subscriptions,
            papers=repository.papers_store,
            listing_log=repository.listings,
            deliveries=repository.deliveries,
            threads=repository.deliveries,
            votes=Votes(database, clock),
            mutes=MuteStore(database),
            listed=ListingStore(database),
            misses=PaperMisses(database, keep=timedelta(seconds=settings.arxiv_miss_memory)),
            platform_state=PlatformState(database),
            seen_requests=SeenRequests(database, clock),
        )


@dataclass
class Services:
    """Everything a command or adapter needs, built once per process."""

    settings: Settings
    database: AsyncEngine
    repository: Repository
    catalog: PaperCatalog
    engine: Engine
    times: DigestTimes
    stores: Stores

    async def close(self) -> None:
        """Release the database connections (and the LLM's, when there is one)."""
        if isinstance(self.engine.explainer, LlmExplainer):
            await self.engine.explainer.close()
        await self.database.dispose()


def default_schedule(settings: Settings) -> Schedule:
    """The schedule a new channel starts with."""
    return Schedule(
        at=settings.default_digest_time,
        timezone=settings.default_timezone,
        weekdays=parse_weekdays("daily"),
    )


def build_full_text(settings: Settings, gate: RequestGate | None = None) -> ArxivFullText:
    """Full texts for explanations, bounded, through `gate` or else the deployment's shared one."""
    return ArxivFullText(
        settings.arxiv_html_url,
        settings.arxiv_pdf_url,
        gate=gate or gate_for_database(settings.resolved_database_url, settings.arxiv_min_interval),
        timeout=settings.arxiv_timeout,
        max_chars=settings.llm_text_tokens * 6,
        max_bytes=settings.arxiv_full_text_max_bytes,
        deadline=settings.arxiv_full_text_deadline,
    )


def build_explainer(
    settings: Settings,
    *,
    database: AsyncEngine | None = None,
    gate: RequestGate | None = None,
    clock: Clock | None = None,
) -> Explainer:
    """The LLM explainer when a provider and its key are configured, else the abstract-only fallback.

    litellm is not imported here: the client loads it on the first call.
    """
    config = LlmConfig.from_settings(settings)
    if config is None:
        return AbstractOnlyExplainer()
    if database is None:
        raise ValueError("the LLM explainer caches in the database: pass `database`")
    clock = clock or SystemClock()
    store = LlmStore(database)
    spending = Spending(
        store,
        UserUsageStore(database),
        clock,
        per_channel=settings.llm_daily_tokens_per_channel,
        total=settings.llm_daily_tokens_total,
        per_user=settings.llm_daily_tokens_per_user,
    )
    return LlmExplainer(
        LlmClient(config),
        store,
        spending,
        clock,
        full_text=build_full_text(settings, gate) if settings.llm_full_text else None,
        text_tokens=settings.llm_text_tokens,
        concurrency=settings.llm_concurrency,
    )


async def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    source: PaperSource | None = None,
    explainer: Explainer | None = None,
) -> Services:
    """Open the database (migrating it to the current schema) and build the engine and its services."""
    clock = clock or SystemClock()
    database = create_engine(settings.resolved_database_url)
    await upgrade_database(database)
    repository = Repository(database, default_schedule(settings), settings.default_max_papers, clock)
    stores = Stores.on(repository, settings, clock)
    if source is None:
        source = ArxivSource.from_settings(settings)
    # Full-text fetches are arXiv requests too: they share the source's gate (one per deployment).
    gate = getattr(source, "gate", None)
    catalog = PaperCatalog(
        repository,
        source,
        clock,
        listings=stores.listed,
        misses=stores.misses,
        failure_cooldown=timedelta(seconds=settings.arxiv_failure_cooldown),
    )
    explainer = explainer or build_explainer(
        settings, database=database, gate=gate if isinstance(gate, RequestGate) else None, clock=clock
    )
    from bot.relevance.learned import LearnedRelevance  # numpy: imported when the bot starts, not for --help

    batches = DeliveryBatches(database)
    builder = DigestBuilder(
        repository,
        catalog,
        explainer,
        clock,
        stores.mutes,
        LearnedRelevance(repository, stores.votes),
        batches,
        base_categories=settings.ingest_categories,
        first_digest_days=settings.first_digest_days,
        explain_wait=settings.llm_digest_wait,
    )
    publishers = Publishers()
    posts = ClaimedPosts(repository, publishers)
    delivery = DigestDelivery(catalog, builder, batches, posts, publishers, clock)
    lookups = LookupLimits(settings.arxiv_lookups_per_person, settings.arxiv_lookups_per_channel)
    times = DigestTimes(database)
    engine = Engine(
        repository,
        catalog,
        builder,
        delivery,
        explainer,
        clock,
        publishers,
        times,
        stores.votes,
        stores.mutes,
        lookups,
    )
    return Services(settings, database, repository, catalog, engine, times, stores)


def build_jobs(services: Services) -> ScheduledJobs:
    """What the scheduler's jobs (the digest tick, the listing ingest) run with."""
    from bot.services.scheduled import Patience, ScheduledJobs

    settings, engine = services.settings, services.engine
    patience = Patience(
        settings.digest_retry_seconds, settings.digest_late_after, settings.digest_give_up_after
    )
    return ScheduledJobs(
        engine.delivery,
        services.catalog,
        engine.builder,
        services.times,
        engine.publishers,
        engine.clock,
        patience,
    )


def build_prewriter(services: Services) -> Prewriter | None:
    """Explanations written ahead of the digests, once a listing is in; None without an LLM."""
    from bot.services.picks import ChannelPicks
    from bot.services.prewrite import Prewriter

    engine = services.engine
    if not isinstance(engine.explainer, LlmExplainer):
        return None
    batches = DeliveryBatches(services.database)
    picks = ChannelPicks(engine.builder, batches)
    return Prewriter(batches, picks, engine.explainer, engine.clock, services.catalog.seen_through)
