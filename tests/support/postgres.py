"""A throwaway PostgreSQL cluster for the test session: initdb into a temp dir, one database a test.

Runs Debian's own binaries (`apt-get install postgresql`, which `.ci/run` does). initdb refuses to
run as root, so as root the cluster belongs to the `postgres` user (or `nobody`).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.processes import free_port

MISSING = (
    "PostgreSQL's server binaries (initdb, pg_ctl) were not found. The suite runs every storage and "
    "scenario test on PostgreSQL too: run `.ci/run` (it installs them), or "
    "`sudo apt-get install -y postgresql`, or put a PostgreSQL bin directory on PATH."
)
USER = "paperboy"


class PostgresUnavailable(RuntimeError):
    """The server could not be found or started; the message says what to do."""


def find_bin_dir() -> Path | None:
    """Debian's versioned bin directory (newest first), or wherever `initdb` is on PATH."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


class PostgresCluster:
    """One server for the session; `new_database()` gives each test a fresh, empty database."""

    def __init__(self) -> None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise PostgresUnavailable(MISSING)
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="paperboy-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._owner = self._pick_owner()
        self._names = itertools.count(1)
        self._started = False

    @staticmethod
    def _pick_owner() -> str | None:
        if os.geteuid() != 0:
            return None
        for name in ("postgres", "nobody"):
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                continue
        raise PostgresUnavailable("running as root and no `postgres` or `nobody` user to own the cluster")

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            user=self._owner,
            timeout=120,
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"{args[0]} failed: {result.stderr or result.stdout}")

    def start(self) -> PostgresCluster:
        """initdb (trust auth, no fsync) and start on 127.0.0.1 and a socket in the temp dir."""
        if self._owner:
            entry = pwd.getpwnam(self._owner)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.root / "log"),
                  "-o", options)  # fmt: skip
        self._started = True
        return self

    def stop(self) -> None:
        """Stop the server and delete its files."""
        if self._started:
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
            self._started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        """A SQLAlchemy URL for one database of this cluster."""
        return f"{driver}://{USER}@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres",
                             autocommit=True) as connection:  # fmt: skip
            connection.execute(sql)  # type: ignore[arg-type]

    def new_database(self) -> str:
        """A fresh empty database; returns its name."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return name

    def drop_database(self, name: str) -> None:
        """Drop a test's database, closing any connection a test left open."""
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
