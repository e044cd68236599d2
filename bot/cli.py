"""The `paperboy` command: the composition root. Heavy modules are imported inside commands."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bot import __version__
from bot.cli_db import db
from bot.cli_ops import operations
from bot.cli_parser import Commands, echo, fail, option
from bot.cli_support import settings_or_exit, with_services

if TYPE_CHECKING:
    from bot.app import Services
    from bot.doctor import Check
    from bot.ports import ChatAdapter
    from bot.settings import Settings

app = Commands(
    "paperboy",
    "Paperboy delivers new arXiv papers, matched to each channel's topics, to Slack, Discord\n"
    "and the console.",
)

NO_PLATFORM_MESSAGE = (
    "No chat platform is configured. Set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Slack, Socket Mode), "
    "or DISCORD_TOKEN (Discord), in the environment or in .env.\n"
    "Starting the local console instead (the same as `paperboy console`, but the scheduler keeps "
    "running when input ends): type `help`."
)


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

    with_services(settings, work, console=console)


@app.command()
def console() -> None:
    """Make this terminal a channel (or read commands piped in).

    Interactive on a terminal (Ctrl-C cancels a running command); line by line from piped input.
    """
    settings = settings_or_exit()

    async def work(services: Services) -> None:
        from bot.runner import Runner

        await Runner(services, [_console(settings, services)]).run()

    with_services(settings, work, console=True)


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
        from adapters.console.adapter import CONSOLE_USER
        from adapters.console.render import render_reply
        from bot.domain.commands import PostDigest
        from bot.domain.replies import Notice, Tone

        # The same delivery run as `/paper digest` in a channel and as the scheduler's tick.
        services.engine.register_publisher(ConsolePublisher(sys.stdout))
        outcome = await services.engine.handle(ref, CONSOLE_USER, PostDigest())
        echo(render_reply(outcome.reply), err=True)
        return 1 if isinstance(outcome.reply, Notice) and outcome.reply.tone is Tone.ERROR else 0

    raise SystemExit(with_services(settings, work))


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

    raise SystemExit(with_services(settings, work))


app.extend(operations)


async def run_checks(settings: Settings) -> list[Check]:
    """Every check, in the order an operator would fix things: the core's, then each platform's.

    Each adapter brings its own checks (its token formats and addresses); they are imported here,
    when `doctor` runs, and not before.
    """
    from adapters.discord.doctor import check_discord
    from adapters.slack.doctor import check_slack
    from bot.doctor import core_checks, no_chat_platform

    checks = await core_checks(settings)
    platforms = await check_slack(settings) + await check_discord(settings)
    return checks + (platforms or [no_chat_platform()])


@app.command()
def doctor() -> None:
    """Check the configuration and say what to fix.

    Database, arXiv, LLM, Slack and Discord tokens, one line each.
    """
    from rich.console import Console
    from rich.markup import escape

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


app.add_group(db)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    from bot.cli_parser import run as run_command

    run_command(app, f"paperboy {__version__}", argv)


if __name__ == "__main__":
    main()
