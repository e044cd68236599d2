"""The `paperboy` command: the composition root. Heavy modules are imported inside commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from bot import __version__
from bot.cli_db import db
from bot.cli_parser import Commands, echo, fail, option, positive_int

if TYPE_CHECKING:
    from bot.app import Services
    from bot.services.ports import ChatAdapter
    from bot.settings import Settings

T = TypeVar("T")

app = Commands(
    "paperboy",
    "Paperboy delivers new arXiv papers, matched to each channel's topics, to Slack, Discord\n"
    "and the console.",
)
app.add_group(db)

NO_PLATFORM_MESSAGE = (
    "No chat platform is configured. Set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Slack, Socket Mode), "
    "or DISCORD_TOKEN (Discord), in the environment or in .env.\n"
    "Starting the local console instead (the same as `paperboy console`, but the scheduler keeps "
    "running when input ends): type `help`."
)


def settings_or_exit() -> Settings:
    """The configuration, or a plain message and exit code 2 when it is invalid."""
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        fail(f"Configuration error: {problems}")


def _with_services(
    settings: Settings, work: Callable[[Services], Awaitable[T]], *, console: bool = False
) -> T:
    """Build the services, run `work`, and always close the database.

    `console`: this terminal is a channel; on an interactive terminal the log goes to a file in
    DATA_DIR and only warnings show between the messages.
    """
    from bot.logs import configure_logging

    interactive = console and sys.stdin.isatty()
    check_storage_or_exit(settings, data_dir_needed=interactive)  # history and log files live there
    log_file = None
    if interactive:
        log_file = settings.data_dir / "paperboy.log"
        echo(f"Logging to {log_file} (warnings also show here).", err=True)
    configure_logging(settings, log_file=log_file)

    from bot.app import build_services
    from bot.services.ports import AdapterStartError

    async def go() -> T:
        services = await build_services(settings)
        try:
            return await work(services)
        finally:
            await services.close()

    from bot.infra.event_loop import run as run_loop  # here: `paperboy --help` should not pay for it

    try:
        return run_loop(go())
    except AdapterStartError as error:
        fail(f"Could not start: {error}", 1)


def check_storage_or_exit(settings: Settings, *, data_dir_needed: bool = False) -> None:
    """A database URL or folder Paperboy cannot use: one line saying what to fix, exit code 2."""
    from bot.preflight import ConfigurationProblem, check_storage

    try:
        check_storage(settings, data_dir_needed=data_dir_needed)
    except ConfigurationProblem as problem:
        fail(f"Configuration error: {problem}")


def platforms_configured(settings: Settings) -> bool:
    """True when a Slack or Discord token is set, so `run` connects to a chat platform."""
    slack = settings.slack_bot_token and (settings.slack_app_token or settings.slack_signing_secret)
    return bool(slack or settings.discord_token)


def _chat_adapters(settings: Settings, services: Services) -> list[ChatAdapter]:
    """The adapters whose tokens are set; imported only when configured."""
    adapters: list[ChatAdapter] = []
    if settings.slack_bot_token and (settings.slack_app_token or settings.slack_signing_secret):
        from adapters.slack import create_adapter as create_slack

        adapters.append(create_slack(settings, services))
    if settings.discord_token:
        from adapters.discord import create_adapter as create_discord

        adapters.append(create_discord(settings, services))
    return adapters


def _console(settings: Settings, services: Services, *, keep_serving: bool = False) -> ChatAdapter:
    from adapters.console.adapter import ConsoleAdapter

    return ConsoleAdapter(
        services.engine, history_file=settings.data_dir / "console_history", keep_serving=keep_serving
    )


@app.command()
def run() -> None:
    """Run the chat adapters and the daily scheduler.

    Slack and Discord connect when their tokens are set; with neither, this terminal is the channel.
    """
    settings = settings_or_exit()
    console = not platforms_configured(settings)

    async def work(services: Services) -> None:
        from bot.runner import Runner

        adapters = _chat_adapters(settings, services)
        if not adapters:
            echo(NO_PLATFORM_MESSAGE, err=True)
            # Without a terminal (a container), the end of input must not end the process: a
            # restart policy would start it again and again. It runs the scheduler until stopped.
            adapters = [_console(settings, services, keep_serving=True)]
        await Runner(services, adapters, serve_health=True).run()

    _with_services(settings, work, console=console)


@app.command()
def console() -> None:
    """Make this terminal a channel (or read commands piped in).

    Interactive on a terminal (Ctrl-C cancels a running command); line by line from piped input.
    """
    settings = settings_or_exit()

    async def work(services: Services) -> None:
        from bot.runner import Runner

        await Runner(services, [_console(settings, services)]).run()

    _with_services(settings, work, console=True)


@app.command(
    option(
        "--channel",
        default="console:local:console",
        help="channel key `platform:workspace:channel` (default: console:local:console)",
    ),
    option("--dry-run", action="store_true", help="show the digest; post and record nothing"),
)
def digest(channel: str = "console:local:console", dry_run: bool = False) -> None:
    """Post one channel's digest now (--dry-run only shows it)."""
    from bot.domain.channel import ChannelRef

    parts = channel.split(":")
    if len(parts) != 3 or not all(parts):
        fail(
            f"`{channel}` is not a channel key; write it as platform:workspace:channel, "
            "e.g. console:local:console or slack:T0123:C0456."
        )
    ref = ChannelRef(*parts)
    settings = settings_or_exit()

    async def work(services: Services) -> int:
        from adapters.console.adapter import ConsolePublisher
        from adapters.console.render import render_digest

        state = await services.repository.get_channel(ref)
        if state is None:
            echo(
                f"No channel {channel} is known yet; it appears once someone talks to Paperboy there.",
                err=True,
            )
            return 1
        if dry_run:
            plan = await services.engine.builder.build(state, explain=True)
            echo(render_digest(plan.digest))
            return 0
        if ref.platform != "console":
            echo(
                "Posting to Slack or Discord from the command line needs `paperboy run`; "
                "use --dry-run to see the digest here.",
                err=True,
            )
            return 2
        report = await services.engine.delivery.deliver(ref, ConsolePublisher(sys.stdout))
        echo(f"Posted {report.posted} paper{'s' if report.posted != 1 else ''}.", err=True)
        return 0

    raise SystemExit(_with_services(settings, work))


@app.command(option("paper", help="an arXiv id or URL, e.g. 2602.10905"))
def explain(paper: str) -> None:
    """Explain one paper, as `/explain` does in a channel."""
    settings = settings_or_exit()

    async def work(services: Services) -> int:
        from adapters.console.adapter import CONSOLE_CHANNEL, CONSOLE_USER
        from adapters.console.render import render_reply
        from bot.domain.commands import Explain
        from bot.domain.replies import Notice

        outcome = await services.engine.handle(CONSOLE_CHANNEL, CONSOLE_USER, Explain(paper))
        echo(render_reply(outcome.reply))
        return 1 if isinstance(outcome.reply, Notice) else 0

    raise SystemExit(_with_services(settings, work))


@app.command(
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

    raise SystemExit(_with_services(settings, work))


@app.command(
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


@app.command()
def doctor() -> None:
    """Check the configuration and say what to fix.

    Database, arXiv, LLM, Slack and Discord tokens, one line each.
    """
    from rich.console import Console
    from rich.markup import escape

    from bot.doctor import run_checks
    from bot.infra.event_loop import run as run_loop

    settings = settings_or_exit()
    checks = run_loop(run_checks(settings))
    out = Console(highlight=False, soft_wrap=True)
    marks = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]"}
    for check in checks:
        fix = f" — fix: {escape(check.fix)}" if check.fix and check.status != "ok" else ""
        out.print(f"{marks[check.status]} {check.name}: {escape(check.detail)}{fix}")
    failed = sum(1 for c in checks if c.status == "fail")
    out.print(f"{failed} problem{'s' if failed != 1 else ''} to fix." if failed else "Ready to run.")
    raise SystemExit(1 if failed else 0)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    from bot.cli_parser import run as run_command

    run_command(app, f"paperboy {__version__}", argv)


if __name__ == "__main__":
    main()
