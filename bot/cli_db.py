"""`paperboy db ...`: the schema's migrations, for operators and for developers adding a table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from bot.cli_parser import Commands, echo, fail, option

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")

db = Commands("db", "Database schema: upgrade it, show it, or add a revision.")


def _on_database(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    from bot.cli_support import check_storage_or_exit, settings_or_exit
    from bot.infra.storage.database import create_engine
    from bot.logs import configure_logging

    settings = settings_or_exit()
    check_storage_or_exit(settings)
    configure_logging(settings)

    from bot.infra.event_loop import run as run_loop  # here: `paperboy --help` should not pay for it

    async def go() -> T:
        engine = create_engine(settings.resolved_database_url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return run_loop(go())
    except OSError as error:
        fail(f"Cannot reach the database: {error}. Check DATABASE_URL.", 1)


@db.command(option("revision", nargs="?", default="head", help="target revision; `head` is the newest"))
def upgrade(revision: str = "head") -> None:
    """Migrate the database to the newest schema (safe to run while other processes start)."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.infra.storage.database import describe_error
    from bot.infra.storage.migrate import SchemaTooNew, upgrade_database

    try:
        report = _on_database(lambda engine: upgrade_database(engine, revision))
    except (SchemaTooNew, SQLAlchemyError) as error:
        fail(f"Upgrade failed: {describe_error(error)}", 1)
    if report.changed:
        echo(f"Database upgraded from {report.before or 'empty'} to {report.after}.")
    else:
        echo(f"Database already at {report.after}.")


@db.command()
def current() -> None:
    """Show the database's schema revision and the newest this Paperboy knows."""
    from bot.infra.storage.migrate import current_revision, head_revision

    revision = _on_database(current_revision)
    head = head_revision()
    note = "up to date" if revision == head else "run `paperboy db upgrade`"
    echo(f"Database at {revision or 'nothing (empty)'}; newest is {head} ({note}).")


@db.command(
    option("-m", "--message", required=True, help="what the revision changes"),
    option("--empty", action="store_true", help="write an empty revision instead of comparing the tables"),
)
def revision(message: str, empty: bool = False) -> None:
    """Developers: write the next numbered revision from the difference between tables.py and the database."""
    from bot.infra.storage.migrate import autogenerate_revision, upgrade_database

    async def write(engine: AsyncEngine) -> str:
        await upgrade_database(engine)
        return str(await autogenerate_revision(engine, message, autogenerate=not empty))

    path = _on_database(write)
    echo(f"Wrote {path}; read it, run `ruff format` on it, and commit it.")
