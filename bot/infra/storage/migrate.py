"""Schema migrations with Alembic: run at start and by `paperboy db upgrade`, safe from many processes."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The schema databases had when `create_all` made them, before migrations existed.
BASELINE = "0001"
# Any fixed 64-bit number; advisory locks are per database, so this only serialises Paperboys.
MIGRATION_LOCK_KEY = 0x7061_7065_7262_6F01


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer Paperboy than this one."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            f"The database is at schema revision {revision}, which this Paperboy does not know "
            f"(its newest is {head_revision()}): run the newer Paperboy, or restore a backup."
        )
        self.revision = revision


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """Where the database was and where it is now."""

    before: str | None
    after: str | None
    stamped: bool = False

    @property
    def changed(self) -> bool:
        """True when anything was applied or stamped."""
        return self.stamped or self.before != self.after


def alembic_config() -> Config:
    """Alembic's configuration, built in code: the package ships no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this code knows."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    """True when this code has that revision (False for a database migrated by a newer Paperboy)."""
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:
        return False


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's revision; None for an empty (or pre-migration) database."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def table_names(engine: AsyncEngine) -> set[str]:
    """The tables the database has."""
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: sa.inspect(c).get_table_names()))


def _upgrade(connection: Connection, revision: str) -> MigrationReport:
    before = _current(connection)
    if before is not None and not known_revision(before):
        raise SchemaTooNew(before)
    stamped = False
    config = alembic_config()
    config.attributes["connection"] = connection
    if before is None and "channels" in sa.inspect(connection).get_table_names():
        log.info("database made before migrations existed: marking it as revision %s", BASELINE)
        command.stamp(config, BASELINE)
        stamped = True
    target = head_revision() if revision == "head" else revision
    if _current(connection) != target:
        command.upgrade(config, revision)
    return MigrationReport(before=before, after=_current(connection), stamped=stamped)


async def upgrade_database(engine: AsyncEngine, revision: str = "head") -> MigrationReport:
    """Bring the schema to `revision`; concurrent starts wait for each other instead of racing."""
    url = engine.url
    lock = _sqlite_file_lock(url.database if url.get_backend_name() == "sqlite" else None)
    async with lock, engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations recreate tables; with foreign keys on, that would cascade-delete.
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                if connection.dialect.name == "postgresql":
                    await connection.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                report = await connection.run_sync(_upgrade, revision)
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()
    if report.changed:
        log.info("database schema upgraded from %s to %s", report.before or "nothing", report.after)
    return report


@contextlib.asynccontextmanager
async def _sqlite_file_lock(database: str | None) -> AsyncIterator[None]:
    """SQLite has no advisory locks: an flock on a file beside the database (waited for in a thread)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    path = Path(database).with_name(Path(database).name + ".migrate.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def next_revision_id() -> str:
    """`0002` after `0001`: short numbered ids keep the history readable."""
    numbers = [int(r.revision) for r in _scripts().walk_revisions() if re.fullmatch(r"\d+", r.revision)]
    return f"{max(numbers, default=0) + 1:04d}"


async def autogenerate_revision(engine: AsyncEngine, message: str, *, autogenerate: bool = True) -> Path:
    """Write a new revision comparing the tables in code with a database at head."""
    config = alembic_config()

    def write(connection: Connection) -> Path:
        config.attributes["connection"] = connection
        script = command.revision(
            config, message=message, autogenerate=autogenerate, rev_id=next_revision_id()
        )
        assert script is not None and not isinstance(script, list)
        return Path(script.path)

    async with engine.connect() as connection:
        path = await connection.run_sync(write)
    _scripts.cache_clear()
    return path


def sqlite_url_for(path: Path) -> str:
    """An async SQLite URL for a file."""
    return str(make_url(f"sqlite+aiosqlite:///{path}"))
