"""Checks before anything opens the database: a wrong URL or an unwritable folder is one plain line.

Without them a `mysql://` URL or a read-only data folder ends in a long traceback from deep inside
SQLAlchemy or SQLite; these say what to change instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.settings import Settings

SUPPORTED = "PostgreSQL (postgresql+psycopg://user:password@host:5432/paperboy)"
# The async drivers Paperboy installs, by backend.
DRIVERS = {"sqlite": {"aiosqlite"}, "postgresql": {"psycopg", "psycopg_async"}}


class ConfigurationProblem(Exception):
    """A setting Paperboy cannot work with; the message says what to change (exit code 2)."""


def check_storage(settings: Settings, *, data_dir_needed: bool = False) -> None:
    """Raise ConfigurationProblem when DATABASE_URL cannot work or a folder we write to is read-only.

    `data_dir_needed`: the command writes files in DATA_DIR (the console's history and log).
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(settings.resolved_database_url)
    except ArgumentError:
        raise ConfigurationProblem(
            f"DATABASE_URL is not a database URL. Use {SUPPORTED}, or leave it unset for a "
            "SQLite file in DATA_DIR."
        ) from None
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend not in DRIVERS:
        raise ConfigurationProblem(
            f"DATABASE_URL names {backend}, which Paperboy does not support. Use {SUPPORTED}, "
            "or leave it unset for a SQLite file in DATA_DIR."
        )
    if driver not in DRIVERS[backend]:
        example = (
            "postgresql+psycopg://user:password@host:5432/paperboy"
            if backend == "postgresql"
            else "sqlite+aiosqlite:///data/paperboy.db"
        )
        raise ConfigurationProblem(
            f"DATABASE_URL asks for the {backend} driver `{driver}`, which Paperboy does not use: "
            f"write it as {example}."
        )
    if backend == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        _writable(database.parent, "the SQLite database's folder" + _named(settings, database.parent))
        if database.exists() and not os.access(database, os.R_OK | os.W_OK):
            raise ConfigurationProblem(
                f"Cannot write the database file {database}: allow this user to read and write it, "
                "or point DATABASE_URL or DATA_DIR elsewhere."
            )
    if data_dir_needed:
        _writable(settings.data_dir, "the data folder (DATA_DIR)")


def _named(settings: Settings, folder: Path) -> str:
    return " (DATA_DIR)" if not settings.database_url and folder == settings.data_dir else ""


def _writable(folder: Path, what: str) -> None:
    """Create the folder if need be, and check that this user may write in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigurationProblem(
            f"Cannot create {what} {folder}: {error.strerror or error}. Set DATA_DIR to a folder "
            "this user may write to, e.g. DATA_DIR=./data."
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigurationProblem(
            f"Cannot write in {what} {folder}: permission denied. Set DATA_DIR to a folder this user "
            "may write to, e.g. DATA_DIR=./data."
        )
