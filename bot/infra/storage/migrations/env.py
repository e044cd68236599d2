"""Alembic's entry point: migrations run on a connection we hand over, or on a new async engine."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from bot.infra.storage import tables  # noqa: F401  (registers every table on SQLModel.metadata)
from bot.infra.storage.database import create_engine

config = context.config
target_metadata = SQLModel.metadata


def _render_item(kind: str, obj: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Write our column types (UTCDateTime) as the plain type they store, so revisions stay frozen."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_item=_render_item,
        # SQLite can't ALTER most things: batch mode copies the table instead.
        render_as_batch=True,
        **options,
    )


def run_migrations_offline() -> None:
    """`--sql` mode: print the SQL instead of running it."""
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    """Run the migrations on an open connection."""
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_new_engine(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_on)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    """Paperboy passes its own connection (see bot/infra/storage/migrate.py); plain alembic doesn't."""
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from bot.settings import Settings

        url = Settings().resolved_database_url
    asyncio.run(_run_on_new_engine(url))


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
