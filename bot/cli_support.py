"""What every `paperboy` command needs before it works: valid settings, usable storage, services."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from bot.cli_parser import echo, fail

if TYPE_CHECKING:
    from bot.app import Services
    from bot.settings import Settings

T = TypeVar("T")


def settings_or_exit() -> Settings:
    """The configuration, or a plain message and exit code 2 when it is invalid."""
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        fail(f"Configuration error: {problems}")


def check_storage_or_exit(settings: Settings, *, data_dir_needed: bool = False) -> None:
    """A database URL or folder Paperboy cannot use: one line saying what to fix, exit code 2."""
    from bot.preflight import ConfigurationProblem, check_storage

    try:
        check_storage(settings, data_dir_needed=data_dir_needed)
    except ConfigurationProblem as problem:
        fail(f"Configuration error: {problem}")


def with_services(
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
    from bot.ports import AdapterStartError

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
