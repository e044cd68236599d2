"""The real discord.py, through our adapter, against a fake Discord, the fake arXiv and the fake LLM
(through the real LLM explainer and litellm) on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.app import Services, build_services
from bot.infra.arxiv import ArxivSource
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_world import Interaction
from tests.support.services import fake_arxiv_source

# Seconds discord.py waits after the last GUILD_CREATE before READY (2 s in production).
GUILD_READY_TIMEOUT = 0.05


class DiscordBot:
    """Paperboy connected to the fake Discord: real services, real SQLite, real discord.py and litellm."""

    def __init__(
        self,
        settings: Settings,
        fake: FakeDiscord,
        arxiv: FakeArxiv,
        *,
        guild_ready_timeout: float = GUILD_READY_TIMEOUT,
    ):
        self.settings = settings
        self.guild_ready_timeout = guild_ready_timeout
        self.fake = fake
        self.arxiv = arxiv
        self.clock = FakeClock()
        self.services: Services | None = None
        self.adapter: DiscordAdapter | None = None
        self._source: ArxivSource | None = None

    async def start(self) -> DiscordBot:
        """Build the services as the CLI does and start the adapter; returns once READY."""
        self._source = fake_arxiv_source(self.arxiv, self.clock)
        self.services = await build_services(self.settings, clock=self.clock, source=self._source)
        self.adapter = DiscordAdapter(
            self.settings, self.services, guild_ready_timeout=self.guild_ready_timeout
        )
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
        handle = await self.answered(command, subcommand, **options)
        if handle.followups:
            return [r.body for r in handle.followups]
        return [handle.callbacks[0].body["data"]]

    async def answered(self, command: str, subcommand: str | None = None, **options: Any) -> Interaction:
        """Run a slash command and wait for its first answer; `visible(...)` says who sees what."""
        handle = await self.fake.slash(command, subcommand, **options)
        await self.fake.wait_for(lambda: handle.followups or _immediate_reply(handle), within=15)
        return handle


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
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fresh fake Discord on a free local port."""
    async with FakeDiscord() as fake:
        yield fake


@pytest.fixture
def settings(fake_discord: FakeDiscord, adapter_settings: dict[str, Any]) -> Settings:
    """Settings for a temporary SQLite file and the fake arXiv, Discord and LLM; no .env is read."""
    return Settings(
        _env_file=None,
        **adapter_settings,
        discord_token="fake-bot-token",
        discord_api_url=fake_discord.api_url,
        discord_guild_ids=str(fake_discord.guild_id),
        discord_post_interval=0.0,
    )


@pytest.fixture
async def bot(
    settings: Settings, fake_discord: FakeDiscord, fake_arxiv: FakeArxiv
) -> AsyncIterator[DiscordBot]:
    """Paperboy, connected and ready."""
    running = DiscordBot(settings, fake_discord, fake_arxiv)
    await running.start()
    yield running
    await running.close()
