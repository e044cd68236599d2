"""Wiring: one function builds every service from the settings; nothing else constructs them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import Clock, SystemClock
from bot.domain.schedule import Schedule, parse_weekdays
from bot.infra.arxiv.source import ArxivSource
from bot.infra.storage.database import create_engine
from bot.infra.storage.migrate import upgrade_database
from bot.infra.storage.repository import Repository
from bot.services.abstract_explainer import AbstractOnlyExplainer
from bot.services.catalog import PaperCatalog
from bot.services.delivery import DigestDelivery
from bot.services.digests import DigestBuilder
from bot.services.engine import Engine
from bot.services.ports import Explainer, PaperSource
from bot.settings import Settings


@dataclass
class Services:
    """Everything a command or adapter needs, built once per process."""

    settings: Settings
    database: AsyncEngine
    repository: Repository
    catalog: PaperCatalog
    engine: Engine

    async def close(self) -> None:
        """Release the database connections."""
        await self.database.dispose()


def default_schedule(settings: Settings) -> Schedule:
    """The schedule a new channel starts with."""
    return Schedule(
        at=settings.default_digest_time,
        timezone=settings.default_timezone,
        weekdays=parse_weekdays("daily"),
    )


def build_explainer(settings: Settings) -> Explainer:
    """The LLM explainer when one is configured, else the abstract-only fallback."""
    return AbstractOnlyExplainer()


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
    if source is None:
        source = ArxivSource.from_settings(settings)
    catalog = PaperCatalog(repository, source, clock)
    explainer = explainer or build_explainer(settings)
    builder = DigestBuilder(
        repository,
        catalog,
        explainer,
        clock,
        base_categories=settings.ingest_categories,
        first_digest_days=settings.first_digest_days,
    )
    delivery = DigestDelivery(repository, builder, clock)
    engine = Engine(repository, catalog, builder, delivery, explainer, clock)
    return Services(settings, database, repository, catalog, engine)
