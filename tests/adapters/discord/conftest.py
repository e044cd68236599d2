"""The real discord.py, through our adapter, against a fake Discord and the fake arXiv on loopback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.app import Services, build_services
from bot.domain.channel import ChannelRef
from bot.domain.digest import ExplanationText
from bot.domain.paper import Paper
from bot.infra.arxiv import ArxivSource, RequestGate
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import FakeDiscord

# Seconds discord.py waits after the last GUILD_CREATE before READY (2 s in production).
GUILD_READY_TIMEOUT = 0.05


class SlowInTestExplainer:
    """An in-test stand-in for the LLM explainer (until tests/fakes/llm_server.py exists).

    It answers at once, or, after `slow(seconds)`, takes that long unless a test calls `release()`
    first, so a test can show what happens while "the LLM" is still busy without sleeping for it.
    Its texts carry a mass ping, to show that LLM output cannot ping anyone either.
    """

    def __init__(self) -> None:
        self.delay = 0.0
        self.length = 0
        self.finished: list[str] = []
        self._release = asyncio.Event()

    def slow(self, seconds: float) -> None:
        """From now on each call takes `seconds` (or until `release`)."""
        self.delay = seconds
        self._release = asyncio.Event()

    def release(self) -> None:
        """Let every waiting call finish now."""
        self._release.set()

    async def _think(self) -> None:
        if self.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), self.delay)

    def _text(self, lead: str) -> str:
        return (lead + " " + "The bound follows from a telescoping sum. " * (self.length // 43 + 1))[
            : max(self.length, len(lead))
        ]

    async def explain(
        self, paper: Paper, *, channel: ChannelRef | None = None, full_text: bool = True
    ) -> ExplanationText:
        """A made-up explanation of the paper."""
        await self._think()
        self.finished.append(paper.arxiv_id)
        return ExplanationText(self._text(f"@here, in short: {paper.title} explained."), model="in-test-llm")

    async def answer(
        self, paper: Paper, question: str, *, channel: ChannelRef | None = None
    ) -> ExplanationText:
        """A made-up answer."""
        await self._think()
        self.finished.append(paper.arxiv_id)
        return ExplanationText(f"Answer about {paper.arxiv_id}: it depends.", model="in-test-llm")


class DiscordBot:
    """Paperboy connected to the fake Discord: real services, real SQLite, real discord.py."""

    def __init__(self, settings: Settings, fake: FakeDiscord, arxiv: FakeArxiv, explainer: Any):
        self.settings = settings
        self.fake = fake
        self.arxiv = arxiv
        self.explainer = explainer
        self.clock = FakeClock()
        self.services: Services | None = None
        self.adapter: DiscordAdapter | None = None
        self._source: ArxivSource | None = None

    async def start(self) -> DiscordBot:
        """Build the services as the CLI does and start the adapter; returns once READY."""
        self._source = ArxivSource(
            self.arxiv.api_url,
            self.arxiv.rss_url,
            gate=RequestGate(3.0, self.clock),
            timeout=5.0,
            retries=2,
            clock=self.clock,
        )
        self.services = await build_services(
            self.settings, clock=self.clock, source=self._source, explainer=self.explainer
        )
        self.adapter = DiscordAdapter(self.settings, self.services, guild_ready_timeout=GUILD_READY_TIMEOUT)
        await self.adapter.start()
        return self

    async def restart(self) -> None:
        """A new process on the same database and the same Discord."""
        await self.close()
        await self.start()

    async def close(self) -> None:
        """Disconnect and release the database."""
        if self.adapter is not None:
            await self.adapter.stop()
        if self.services is not None:
            await self.services.close()
        if self._source is not None:
            self._source.close()

    @property
    def channel_id(self) -> str:
        """The channel the tests talk in."""
        return str(self.fake.papers_channel["id"])

    def channel_messages(self) -> list[dict[str, Any]]:
        """What the bot posted in the channel itself."""
        return self.fake.messages.get(self.channel_id, [])

    async def run(self, command: str, subcommand: str | None = None, **options: Any) -> list[dict[str, Any]]:
        """Run a slash command and return its first answer (one follow-up, or an immediate reply).

        Replies that span several messages are awaited by the tests that expect them.
        """
        handle = await self.fake.slash(command, subcommand, **options)
        await self.fake.wait_for(lambda: handle.followups or _immediate_reply(handle), within=15)
        if handle.followups:
            return [r.body for r in handle.followups]
        return [handle.callbacks[0].body["data"]]


def _immediate_reply(handle: Any) -> bool:
    return any(c.body.get("type") == 4 for c in handle.callbacks)


def text_of(bodies: list[dict[str, Any]]) -> str:
    """Everything a user reads in these message bodies: content and every embed's text."""
    parts = []
    for body in bodies:
        parts.append(body.get("content") or "")
        for embed in body.get("embeds") or []:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
            parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


@pytest.fixture
def explainer() -> SlowInTestExplainer:
    """The explainer the bot uses; swap for the fake LLM server's client when it exists."""
    return SlowInTestExplainer()


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fresh fake Discord on a free local port."""
    async with FakeDiscord() as fake:
        yield fake


@pytest.fixture
def settings(tmp_path: Path, fake_arxiv: FakeArxiv, fake_discord: FakeDiscord) -> Settings:
    """Settings for a temporary SQLite file, the fake arXiv and the fake Discord; no .env is read."""
    return Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'paperboy.db'}",
        arxiv_api_url=fake_arxiv.api_url,
        arxiv_rss_url=fake_arxiv.rss_url,
        arxiv_categories="cs.LG",
        discord_token="fake-bot-token",
        discord_api_url=fake_discord.api_url,
        discord_guild_ids=str(fake_discord.guild_id),
        discord_post_interval=0.0,
    )


@pytest.fixture
async def bot(
    settings: Settings, fake_discord: FakeDiscord, fake_arxiv: FakeArxiv, explainer: SlowInTestExplainer
) -> AsyncIterator[DiscordBot]:
    """Paperboy, connected and ready."""
    running = DiscordBot(settings, fake_discord, fake_arxiv, explainer)
    await running.start()
    yield running
    await running.close()
