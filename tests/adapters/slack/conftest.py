"""Paperboy's real Slack adapter (slack-bolt, slack_sdk) against the fake Slack, on real services and
the real LLM explainer (litellm) talking to the fake LLM."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.slack import create_adapter
from adapters.slack.adapter import SlackAdapter
from adapters.slack.pacing import ChannelPacer
from bot.app import Services, build_services
from bot.domain.channel import ChannelRef
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.fakes.slack_payloads import TEAM_ID
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.support.services import fake_arxiv_source

CHANNEL = "C0PAPERS"
PAPERS = ChannelRef("slack", TEAM_ID, CHANNEL, "papers")


@pytest.fixture
async def slack(clock: FakeClock) -> AsyncIterator[FakeSlack]:
    """A fresh fake Slack; its records are stamped with the fake clock."""
    async with FakeSlack(now=clock.monotonic) as fake:
        yield fake


@pytest.fixture
def slack_settings(slack: FakeSlack, adapter_settings: dict[str, Any]) -> Settings:
    """Socket Mode settings pointing at the fakes (the fake LLM too); no .env is read."""
    return Settings(
        _env_file=None,
        **adapter_settings,
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_api_url=slack.api_url,
    )


class SlackBot:
    """Paperboy's services and its Slack adapter, as `paperboy run` builds them."""

    def __init__(self, settings: Settings, fake_arxiv: FakeArxiv, clock: FakeClock):
        self.settings = settings
        self.fake_arxiv = fake_arxiv
        self.clock = clock
        self.services: Services | None = None
        self.adapter: SlackAdapter | None = None

    async def start(self) -> SlackBot:
        """Build services on a temp SQLite file and connect the adapter to the fake Slack."""
        self.source = source = fake_arxiv_source(self.fake_arxiv, self.clock)
        self.services = await build_services(self.settings, clock=self.clock, source=source)

        async def fake_sleep(seconds: float) -> None:
            # Sleepers side by side wake at their own deadlines: time does not add up across channels.
            wake = self.clock.monotonic() + seconds
            await asyncio.sleep(0)
            self.clock.sleep(max(0.0, wake - self.clock.monotonic()))

        pacer = ChannelPacer(1.0, monotonic=self.clock.monotonic, sleep=fake_sleep)
        adapter = create_adapter(self.settings, self.services, pacer=pacer)
        assert isinstance(adapter, SlackAdapter)
        self.adapter = adapter
        await adapter.start()
        return self

    async def close(self) -> None:
        """Disconnect and release the database."""
        if self.adapter:
            await self.adapter.stop()
        if self.services:
            await self.services.close()

    async def idle(self) -> None:
        """Wait for the adapter's background work to finish."""
        assert self.adapter is not None
        await self.adapter.idle()


@pytest.fixture
async def bot(
    slack_settings: Settings,
    fake_arxiv: FakeArxiv,
    clock: FakeClock,
    slack: FakeSlack,
) -> AsyncIterator[SlackBot]:
    """Paperboy connected to the fake Slack over Socket Mode."""
    running = SlackBot(slack_settings, fake_arxiv, clock)
    await running.start()
    await slack.wait_connected()
    yield running
    await running.close()


@pytest.fixture
async def make_bot(
    slack_settings: Settings,
    fake_arxiv: FakeArxiv,
    clock: FakeClock,
    slack: FakeSlack,
) -> AsyncIterator[Any]:
    """Start Paperboy with some settings changed (`await make_bot(slack_managers="admins")`)."""
    started: list[SlackBot] = []

    async def make(**changes: Any) -> SlackBot:
        settings = Settings(_env_file=None, **{**slack_settings.model_dump(), **changes})
        running = SlackBot(settings, fake_arxiv, clock)
        started.append(running)  # closed at the end even if starting fails
        return await running.start()

    yield make
    for running in started:
        await running.close()
