"""The `paperboy` command: the composition root. Heavy modules are imported inside commands."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bot import __version__
from bot.cli_db import db_app

if TYPE_CHECKING:
    from bot.app import Services
    from bot.services.ports import ChatAdapter
    from bot.settings import Settings

T = TypeVar("T")

app = typer.Typer(
    name="paperboy",
    help="Paperboy delivers new arXiv papers, matched to each channel's topics, to Slack, Discord "
    "and the console.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app)

NO_PLATFORM_MESSAGE = (
    "No chat platform is configured. Set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Slack, Socket Mode), "
    "or DISCORD_TOKEN (Discord), in the environment or in .env.\n"
    "Starting the local console instead (the same as `paperboy console`): type `help`."
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"paperboy {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Paperboy: arXiv papers for team channels."""


def settings_or_exit() -> Settings:
    """The configuration, or a plain message and exit code 2 when it is invalid."""
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        typer.echo(f"Configuration error: {problems}", err=True)
        raise typer.Exit(2) from None


def _with_services(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
    """Build the services, run `work`, and always close the database."""
    from bot.app import build_services
    from bot.logs import configure_logging

    configure_logging(settings)

    from bot.services.ports import AdapterStartError

    async def go() -> T:
        services = await build_services(settings)
        try:
            return await work(services)
        finally:
            await services.close()

    import asyncio  # here, not at the top: `paperboy --help` should not pay for it

    try:
        return asyncio.run(go())
    except AdapterStartError as error:
        typer.echo(f"Could not start: {error}", err=True)
        raise typer.Exit(1) from None


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


def _console(settings: Settings, services: Services) -> ChatAdapter:
    from adapters.console.adapter import ConsoleAdapter

    return ConsoleAdapter(services.engine, history_file=settings.data_dir / "console_history")


@app.command()
def run() -> None:
    """Run every configured chat adapter and the daily scheduler (the console if none is set)."""
    settings = settings_or_exit()

    async def work(services: Services) -> None:
        from bot.runner import Runner

        adapters = _chat_adapters(settings, services)
        if not adapters:
            typer.echo(NO_PLATFORM_MESSAGE, err=True)
            adapters = [_console(settings, services)]
        await Runner(services, adapters, serve_health=True).run()

    _with_services(settings, work)


@app.command()
def console() -> None:
    """Make this terminal a channel: interactive on a TTY, line by line from piped input."""
    settings = settings_or_exit()

    async def work(services: Services) -> None:
        from bot.runner import Runner

        await Runner(services, [_console(settings, services)]).run()

    _with_services(settings, work)


@app.command()
def digest(
    channel: Annotated[
        str,
        typer.Option(help="Channel key `platform:workspace:channel`, e.g. console:local:console."),
    ] = "console:local:console",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the digest; post and record nothing.")
    ] = False,
) -> None:
    """Build one channel's digest now and post it (or only show it with --dry-run)."""
    from bot.domain.channel import ChannelRef

    parts = channel.split(":")
    if len(parts) != 3 or not all(parts):
        typer.echo(
            f"`{channel}` is not a channel key; write it as platform:workspace:channel, "
            "e.g. console:local:console or slack:T0123:C0456.",
            err=True,
        )
        raise typer.Exit(2)
    ref = ChannelRef(*parts)
    settings = settings_or_exit()

    async def work(services: Services) -> int:
        from adapters.console.adapter import ConsolePublisher
        from bot.rendering.plaintext import render_digest

        state = await services.repository.get_channel(ref)
        if state is None:
            typer.echo(
                f"No channel {channel} is known yet; it appears once someone talks to Paperboy there.",
                err=True,
            )
            return 1
        if dry_run:
            plan = await services.engine.builder.build(state, explain=True)
            typer.echo(render_digest(plan.digest))
            return 0
        if ref.platform != "console":
            typer.echo(
                "Posting to Slack or Discord from the command line needs `paperboy run`; "
                "use --dry-run to see the digest here.",
                err=True,
            )
            return 2
        report = await services.engine.delivery.deliver(ref, ConsolePublisher(sys.stdout))
        typer.echo(f"Posted {report.posted} paper{'s' if report.posted != 1 else ''}.", err=True)
        return 0

    raise typer.Exit(_with_services(settings, work))


@app.command()
def explain(
    paper: Annotated[str, typer.Argument(help="An arXiv id or URL, e.g. 2602.10905.")],
) -> None:
    """Explain one paper, as `/explain` does in a channel."""
    settings = settings_or_exit()

    async def work(services: Services) -> int:
        from adapters.console.adapter import CONSOLE_CHANNEL, CONSOLE_USER
        from bot.domain.commands import Explain
        from bot.domain.replies import Notice
        from bot.rendering.plaintext import render_reply

        reply = await services.engine.handle(CONSOLE_CHANNEL, CONSOLE_USER, Explain(paper))
        assert reply is not None
        typer.echo(render_reply(reply))
        return 1 if isinstance(reply, Notice) else 0

    raise typer.Exit(_with_services(settings, work))


@app.command()
def ingest(
    day: Annotated[
        str | None,
        typer.Option("--date", help="Announcement day YYYY-MM-DD (default: today's listing)."),
    ] = None,
    write_ahead: Annotated[
        bool,
        typer.Option(
            "--explain/--no-explain",
            help="Then write the explanations of the papers the channels' next digests will hold "
            "(when an LLM is configured), so the digests find them ready.",
        ),
    ] = True,
) -> None:
    """Read arXiv's listing into the database now (the scheduler does this before digests)."""
    settings = settings_or_exit()
    wanted: date | None = None
    if day is not None:
        try:
            wanted = date.fromisoformat(day)
        except ValueError:
            typer.echo(f"`{day}` is not a date; write it as YYYY-MM-DD, e.g. 2026-11-23.", err=True)
            raise typer.Exit(2) from None

    async def work(services: Services) -> int:
        from bot.app import build_prewriter

        categories = await services.engine.builder.all_categories()
        if wanted is None:
            report = await services.catalog.refresh(categories, force=True)
            note = " (arXiv skipped this day)" if report.skipped else ""
            typer.echo(f"Ingested {report.new_papers} papers announced {report.day}{note}.")
        else:
            count = await services.catalog.backfill(categories, wanted)
            typer.echo(f"Ingested {count} papers submitted on {wanted}.")
        prewriter = build_prewriter(services) if write_ahead else None
        if prewriter is not None:
            if wanted is None:
                written = await prewriter.after_ingest(report)
            else:
                written = await prewriter.prewrite()
            typer.echo(written.summary())
        return 0

    raise typer.Exit(_with_services(settings, work))


@app.command()
def usage(
    days: Annotated[int, typer.Option(min=1, help="How many days back to show (today included).")] = 30,
    since: Annotated[
        str | None, typer.Option(help="Show from this UTC day on, YYYY-MM-DD (instead of --days).")
    ] = None,
) -> None:
    """Print LLM spend per channel and day: calls, tokens and cost."""
    from datetime import UTC, datetime, timedelta

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
            typer.echo(f"`{since}` is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01.", err=True)
            raise typer.Exit(2) from None
    settings = settings_or_exit()

    async def read() -> list[UsageLine]:
        database = create_engine(settings.resolved_database_url)
        try:
            await upgrade_database(database)
            return await LlmStore(database).usage(first)
        finally:
            await database.dispose()

    import asyncio

    lines = asyncio.run(read())
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
    """Check the configuration: database, arXiv, LLM, Slack and Discord tokens; say what to fix."""
    import asyncio

    from rich.console import Console
    from rich.markup import escape

    from bot.doctor import run_checks

    settings = settings_or_exit()
    checks = asyncio.run(run_checks(settings))
    out = Console(highlight=False, soft_wrap=True)
    marks = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]"}
    for check in checks:
        fix = f" — fix: {escape(check.fix)}" if check.fix and check.status != "ok" else ""
        out.print(f"{marks[check.status]} {check.name}: {escape(check.detail)}{fix}")
    failed = sum(1 for c in checks if c.status == "fail")
    out.print(f"{failed} problem{'s' if failed != 1 else ''} to fix." if failed else "Ready to run.")
    raise typer.Exit(1 if failed else 0)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
