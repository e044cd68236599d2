"""`paperboy ingest`, `usage` and `relevance`: operator commands that need no chat platform."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli_parser import Commands, echo, fail, option, positive_int
from bot.cli_support import check_storage_or_exit, settings_or_exit, with_services

if TYPE_CHECKING:
    from bot.app import Services
    from bot.domain.channel import ChannelRef

operations = Commands("paperboy", "Operator commands.")


@operations.command(
    option("--date", dest="day", help="announcement day YYYY-MM-DD (default: today's listing)"),
    option(
        "--explain",
        dest="write_ahead",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="then write the explanations the channels' next digests will hold (with an LLM)",
    ),
)
def ingest(day: str | None = None, write_ahead: bool = True) -> None:
    """Read arXiv's listing into the database now, then write the digests' explanations ahead.

    The scheduler does this after midnight US Eastern; --date reads a past day's submissions.
    """
    settings = settings_or_exit()
    from datetime import date

    wanted: date | None = None
    if day is not None:
        try:
            wanted = date.fromisoformat(day)
        except ValueError:
            fail(f"`{day}` is not a date; write it as YYYY-MM-DD, e.g. 2026-11-23.")

    async def work(services: Services) -> int:
        from bot.app import build_prewriter

        categories = await services.engine.builder.all_categories()
        if wanted is None:
            report = await services.catalog.refresh(categories, force=True)
            note = " (arXiv skipped this day)" if report.skipped else ""
            echo(f"Ingested {report.new_papers} papers announced {report.day}{note}.")
            if report.behind and report.expected_day:
                echo(f"arXiv's feed has not turned to {report.expected_day} yet; try again later.")
            if report.refused:
                echo(f"arXiv refuses these categories, left out: {', '.join(sorted(report.refused))}.")
        else:
            count = await services.catalog.backfill(categories, wanted)
            echo(f"Ingested {count} papers submitted on {wanted}.")
        prewriter = build_prewriter(services) if write_ahead else None
        if prewriter is not None:
            if wanted is None:
                written = await prewriter.after_ingest(report)
            else:
                written = await prewriter.prewrite()
            echo(written.summary())
        return 0

    raise SystemExit(with_services(settings, work))


@operations.command(
    option("--days", type=positive_int, default=30, help="how many days back to show, today included (30)"),
    option("--since", help="show from this UTC day on, YYYY-MM-DD (instead of --days)"),
    option("--people", action="store_true", help="per person (platform:user id) instead of per channel"),
)
def usage(days: int = 30, since: str | None = None, people: bool = False) -> None:
    """Print LLM spend per channel (or per person) and day: calls, tokens, cost."""
    from datetime import UTC, date, datetime, timedelta

    from rich.console import Console

    from bot.infra.storage.database import create_engine
    from bot.infra.storage.migrate import upgrade_database
    from bot.usage_report import UsageReport, read_usage

    first = datetime.now(UTC).date() - timedelta(days=days - 1)
    if since is not None:
        try:
            first = date.fromisoformat(since)
        except ValueError:
            fail(f"`{since}` is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01.")
    settings = settings_or_exit()
    check_storage_or_exit(settings)

    async def read() -> UsageReport:
        database = create_engine(settings.resolved_database_url)
        try:
            await upgrade_database(database)
            return await read_usage(database, first, settings.llm_daily_tokens_per_user)
        finally:
            await database.dispose()

    from bot.infra.event_loop import run as run_loop

    report = run_loop(read())
    console = Console(width=max(100, Console().width))
    for printable in report.people_table() if people else report.channel_table():
        console.print(printable)


@operations.command()
def relevance() -> None:
    """Print how each channel's ranking is doing: the share of 👍 among its voted items, its votes."""
    from datetime import UTC, datetime, timedelta

    from bot.domain.clock import SystemClock
    from bot.domain.votes import FIGURES_WINDOW_DAYS, VoteFigures
    from bot.infra.storage.database import create_engine
    from bot.infra.storage.migrate import upgrade_database
    from bot.infra.storage.votes import Votes

    settings = settings_or_exit()
    check_storage_or_exit(settings)
    since = datetime.now(UTC) - timedelta(days=FIGURES_WINDOW_DAYS)

    async def read() -> list[tuple[ChannelRef, VoteFigures]]:
        database = create_engine(settings.resolved_database_url)
        try:
            await upgrade_database(database)
            return await Votes(database, SystemClock()).all_figures(since)
        finally:
            await database.dispose()

    from bot.infra.event_loop import run as run_loop

    found = run_loop(read())
    if not found:
        echo("No channel has votes yet: 👍 and 👎 on digest items (or `like <id>`) teach each its taste.")
        return
    for channel, figures in found:
        echo(f"{channel.key} {channel.label}: {figures.describe()}")
