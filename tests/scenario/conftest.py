"""A console channel wired to real services, a real SQLite file and the fake arXiv."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.app import Services, build_services
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.fakes.llm_server import FakeLlm, settings_for
from tests.support.services import fake_arxiv_source

MakeChat = Callable[..., Awaitable["ConsoleChat"]]


class ConsoleChat:
    """Type a line into the console channel, read what the channel shows."""

    def __init__(self, settings: Settings, fake: FakeArxiv, clock: FakeClock):
        self.settings = settings
        self.fake = fake
        self.clock = clock
        self.out = io.StringIO()
        self.services: Services | None = None
        self.adapter: ConsoleAdapter | None = None

    async def start(self) -> None:
        """Build services and the adapter, as `paperboy console` does."""
        self.source = source = fake_arxiv_source(self.fake, self.clock)
        self.services = await build_services(self.settings, clock=self.clock, source=source)
        self.adapter = ConsoleAdapter(self.services.engine, out=self.out)
        await self.adapter.start()
        await self.adapter.stop()  # the tests type; no stdin reading

    async def restart(self) -> None:
        """Close everything and start again on the same database."""
        await self.close()
        await self.start()

    async def close(self) -> None:
        """Release the database."""
        if self.services:
            await self.services.close()
            self.source.close()

    async def say(self, line: str) -> str:
        """What the channel shows after `line` is typed."""
        assert self.adapter is not None
        start = self.out.tell()
        await self.adapter.run_line(line)
        return self.out.getvalue()[start:]


@pytest.fixture
def settings(tmp_path: Path, fake_arxiv: FakeArxiv, database_url: str) -> Settings:
    """Settings for a fresh database (SQLite, then PostgreSQL) and the fake arXiv; no .env is read."""
    return Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=database_url,
        arxiv_api_url=fake_arxiv.api_url,
        arxiv_rss_url=fake_arxiv.rss_url,
        arxiv_categories="cs.LG",
        arxiv_failure_cooldown=0,
    )


@pytest.fixture
async def chat(settings: Settings, fake_arxiv: FakeArxiv, clock: FakeClock) -> AsyncIterator[ConsoleChat]:
    """A console channel on fresh services."""
    console = ConsoleChat(settings, fake_arxiv, clock)
    await console.start()
    yield console
    await console.close()


@pytest.fixture
async def make_chat(
    settings: Settings, fake_arxiv: FakeArxiv, fake_llm: FakeLlm, clock: FakeClock
) -> AsyncIterator[MakeChat]:
    """A console channel whose LLM is the fake server, through LLM_PROVIDER=openai and LLM_API_BASE."""
    chats: list[ConsoleChat] = []

    async def make(**overrides: object) -> ConsoleChat:
        values = {**settings_for(fake_llm, fake_arxiv), **overrides}
        chat = ConsoleChat(settings.model_copy(update=values), fake_arxiv, clock)
        await chat.start()
        chats.append(chat)
        return chat

    yield make
    for chat in chats:
        await chat.close()
