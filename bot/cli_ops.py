"""`paperboy ingest` and `paperboy usage`: operator commands that need no chat platform."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli_parser import Commands, echo, fail, option, positive_int
from bot.cli_support import check_storage_or_exit, settings_or_exit, with_services

if TYPE_CHECKING:
    from bot.app import Services

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
)
def usage(days: int = 30, since: str | None = None) -> None:
    """Print LLM spend per channel and day: calls, tokens, cost."""
    from datetime import UTC, date, datetime, timedelta

    from rich.console import Console
    from rich.table import Table

    from bot.infra.storage.database import create_engine
    from bot.infra.storage.llm_store import LlmStore, UsageLine
    from bot.infra.storage.migrate import upgrade_database

    first = datetime.now(UTC).date() - timedelta(days=days - 1)
    if since is not None:
        try:
            first = date.fromisoformat(since)
        except ValueError:
            fail(f"`{since}` is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01.")
    settings = settings_or_exit()
    check_storage_or_exit(settings)

    async def read() -> list[UsageLine]:
        database = create_engine(settings.resolved_database_url)
        try:
            await upgrade_database(database)
            return await LlmStore(database).usage(first)
        finally:
            await database.dispose()

    from bot.infra.event_loop import run as run_loop

    lines = run_loop(read())
    console = Console(width=max(100, Console().width))
    if not lines:
        console.print(f"No LLM calls since {first}.")
        return
    table = Table(title=f"LLM usage since {first} (UTC days)")
    for heading in ("Day", "Channel", "Calls", "Prompt tokens", "Completion tokens", "Cost (USD)"):
        table.add_column(heading, justify="left" if heading in ("Day", "Channel") else "right")
    for line in lines:
        table.add_row(
            str(line.day),
            line.channel_key,
            f"{line.calls:,}",
            f"{line.prompt_tokens:,}",
            f"{line.completion_tokens:,}",
            f"{line.cost:.4f}",
        )
    table.add_section()
    table.add_row(
        "Total",
        f"{len({line.channel_key for line in lines})} channels",
        f"{sum(line.calls for line in lines):,}",
        f"{sum(line.prompt_tokens for line in lines):,}",
        f"{sum(line.completion_tokens for line in lines):,}",
        f"{sum(line.cost for line in lines):.4f}",
    )
    console.print(table)
