"""One gate for the whole deployment: real processes on one database keep the interval between them.

Each worker (tests/support/gate_worker.py) is a separate Python process with its own gate, built
as `paperboy` builds it, on one SQLite file or one PostgreSQL database. The fake arXiv records when
each request arrived; a test-only interval of 0.3 s keeps the sleeping short.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.app import build_full_text
from bot.infra.arxiv import ArxivSource, ArxivUnavailable
from bot.infra.arxiv.shared_gate import FileGateLock, PostgresGateLock, gate_for_database
from bot.infra.storage.database import create_engine
from bot.infra.storage.migrate import upgrade_database
from bot.settings import Settings
from tests.fakes.arxiv_papers import LATEX_ID
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.support.processes import ROOT, clean_env, free_port

INTERVAL = 0.3
WORKERS = 3
REQUESTS_EACH = 3


def migrate(database_url: str) -> None:
    """The schema `paperboy` would have made (PostgreSQL keeps the last request's end in a row)."""

    async def upgrade() -> None:
        engine = create_engine(database_url)
        try:
            await upgrade_database(engine)
        finally:
            await engine.dispose()

    asyncio.run(upgrade())


def run_workers(database_url: str, fake: FakeArxiv, *, local: bool = False) -> None:
    """Start the workers, let them go at the same moment, wait for all of them."""
    command = [sys.executable, "-m", "tests.support.gate_worker", database_url, fake.url]
    command += [str(INTERVAL), str(REQUESTS_EACH), *(["--local"] if local else [])]
    workers = [
        subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=clean_env(), cwd=ROOT
        )
        for _ in range(WORKERS)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        for worker in workers:
            assert worker.wait(timeout=60) == 0
            assert worker.stdout is not None and worker.stdout.read().strip() == "done"
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()


def arrival_gaps(fake: FakeArxiv) -> list[float]:
    """Seconds between consecutive requests, as the fake arXiv saw them arrive."""
    times = sorted(r.time for r in fake.requests)
    return [later - earlier for earlier, later in pairwise(times)]


def test_processes_on_one_database_keep_the_interval_between_all_their_requests(
    database_url: str, fake_arxiv: FakeArxiv
) -> None:
    migrate(database_url)
    run_workers(database_url, fake_arxiv)
    assert len(fake_arxiv.requests) == WORKERS * REQUESTS_EACH
    assert min(arrival_gaps(fake_arxiv)) >= INTERVAL
    assert fake_arxiv.max_in_flight == 1
    # Listings and look-ups alike.
    assert len(fake_arxiv.requests_to("/rss/")) == WORKERS * 2


def test_without_the_shared_gate_the_same_processes_crowd_arxiv(
    tmp_path: Path, fake_arxiv: FakeArxiv
) -> None:
    # Proves the test above can fail: a gate per process, as before, lets processes collide.
    run_workers(f"sqlite+aiosqlite:///{tmp_path / 'paperboy.db'}", fake_arxiv, local=True)
    assert len(fake_arxiv.requests) == WORKERS * REQUESTS_EACH
    assert min(arrival_gaps(fake_arxiv)) < INTERVAL


def test_the_deployment_gate_is_built_from_the_database_url(database_url: str) -> None:
    settings = Settings(_env_file=None, database_url=database_url)
    source = ArxivSource.from_settings(settings)
    try:
        shared = source.gate.shared
        if make_url(database_url).get_backend_name() == "sqlite":
            assert isinstance(shared, FileGateLock)
            database = Path(make_url(database_url).database or "")
            assert shared.path == database.with_name("paperboy.db.arxiv-gate")
        else:
            assert isinstance(shared, PostgresGateLock)
        assert source.gate.min_interval == settings.arxiv_min_interval == 3.0
    finally:
        source.close()
    # Full texts built without a gate (an explainer alone) are paced with the rest of the deployment.
    full_text = build_full_text(settings)
    try:
        assert type(full_text.gate.shared) is type(shared)
        assert (full_text.max_bytes, full_text.deadline) == (40_000_000, 60.0)
    finally:
        full_text.close()
        full_text.gate.close()


async def test_an_unreachable_database_sends_nothing_to_arxiv_and_says_why(fake_arxiv: FakeArxiv) -> None:
    # Sending without the lock could break arXiv's terms for the whole deployment: so nothing is sent.
    gate = gate_for_database(f"postgresql+psycopg://paperboy@127.0.0.1:{free_port()}/paperboy", INTERVAL)
    source = ArxivSource(
        fake_arxiv.api_url, fake_arxiv.rss_url, gate=gate, timeout=5.0, retries=2, clock=FakeClock()
    )
    try:
        with pytest.raises(ArxivUnavailable, match=r"request gate unreachable\) after 3 tries"):
            await source.fetch_papers([LATEX_ID])
    finally:
        source.close()
        gate.close()
    assert fake_arxiv.requests == []
