"""Suite-wide guards: no test reaches beyond this machine, and secrets from the environment stay out."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.fakes.llm_server import FakeLlm
from tests.support.postgres import PostgresCluster, PostgresUnavailable

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost", ""}

# Settings come from the test, never from a developer's shell or .env file.
for _name in list(os.environ):
    if _name.startswith(("SLACK_", "DISCORD_", "LLM_", "OPENAI_", "ANTHROPIC_", "ARXIV_")) or _name in {
        "DATABASE_URL",
        "DATA_DIR",
        "HEALTH_PORT",
        "HEALTH_HOST",
        "LOG_FORMAT",
        "LEADER_RETRY_SECONDS",
    }:
        del os.environ[_name]
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return True
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def no_internet() -> Iterator[None]:
    """Fail any connection or name lookup that would leave the machine."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise ConnectionRefusedError(f"tests may not connect to {address[0]!r}")

    def connect(sock: socket.socket, address: Any) -> Any:
        check(sock, address)
        return original_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> Any:
        check(sock, address)
        return original_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise socket.gaierror(f"tests may not resolve {host!r}")
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = original_getaddrinfo


@pytest.fixture
def fake_arxiv() -> Iterator[FakeArxiv]:
    """A fresh fake arXiv on a free local port, serving the seed and edge-case papers."""
    with FakeArxiv() as fake:
        yield fake


@pytest.fixture
def today_arxiv() -> Iterator[FakeArxiv]:
    """The fake arXiv announcing its papers today, for real processes that read the real clock."""
    with FakeArxiv() as fake:
        fake.listing_day = datetime.now(UTC).date()
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    """Fake time for the arXiv gate, retry backoff and the services' wall clock."""
    return FakeClock()


@pytest.fixture
def fake_llm() -> Iterator[FakeLlm]:
    """A fresh fake OpenAI-compatible LLM on a free local port; `fake_llm.delay = 10` makes it slow.

    Reach it with LLM_PROVIDER=openai, LLM_API_BASE=fake_llm.api_base, LLM_API_KEY=fake_llm.api_key.
    """
    with FakeLlm() as fake:
        yield fake


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL server for the whole session, started on first use."""
    try:
        cluster = PostgresCluster().start()
    except PostgresUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database for one test, on SQLite and again on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'paperboy.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    name = cluster.new_database()
    try:
        yield cluster.url(name)
    finally:
        cluster.drop_database(name)
