"""Paperboy's real Slack adapter (slack-bolt, slack_sdk) against the fake Slack, on real services."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.slack import create_adapter
from adapters.slack.adapter import SlackAdapter
from adapters.slack.pacing import ChannelPacer
from bot.app import Services, build_services
from bot.domain.channel import ChannelRef
from bot.domain.digest import ExplanationText
from bot.domain.paper import Paper
from bot.infra.arxiv import ArxivSource, RequestGate
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.fakes.slack_payloads import TEAM_ID
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack

CHANNEL = "C0PAPERS"
PAPERS = ChannelRef("slack", TEAM_ID, CHANNEL, "papers")


class StandInExplainer:
    """An in-test implementation of the core `Explainer` Protocol (until the fake LLM server lands).

    It answers with recognisable text at once, or, after `be_slow()`, takes `seconds` (10 by
    default) unless the test calls `finish()` sooner, as a slow LLM would.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.started = asyncio.Event()
        self.finished = asyncio.Event()
        self._release = asyncio.Event()

    def be_slow(self, seconds: float = 10.0) -> None:
        """Make every explanation take this long (or until `finish()`)."""
        self.seconds = seconds

    def finish(self) -> None:
        """Let a slow explanation complete now."""
        self._release.set()

    async def _think(self) -> None:
        self.started.set()
        if self.seconds:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), self.seconds)
        self.finished.set()

    async def explain(
        self, paper: Paper, *, channel: ChannelRef | None = None, full_text: bool = True
    ) -> ExplanationText:
        """A stand-in explanation naming the paper."""
        await self._think()
        return ExplanationText(f"Stand-in explanation of {paper.arxiv_id}: {paper.title}.", model="stand-in")

    async def answer(
        self, paper: Paper, question: str, *, channel: ChannelRef | None = None
    ) -> ExplanationText:
        """A stand-in answer repeating the question."""
        await self._think()
        return ExplanationText(f"Stand-in answer about {paper.arxiv_id} to: {question}", model="stand-in")


@pytest.fixture
def explainer() -> StandInExplainer:
    """The explainer behind the bot; swap for the fake LLM server once it exists."""
    return StandInExplainer()


@pytest.fixture
async def slack(clock: FakeClock) -> AsyncIterator[FakeSlack]:
    """A fresh fake Slack; its records are stamped with the fake clock."""
    async with FakeSlack(now=clock.monotonic) as fake:
        yield fake


@pytest.fixture
def slack_settings(tmp_path: Path, fake_arxiv: FakeArxiv, slack: FakeSlack) -> Settings:
    """Socket Mode settings pointing at the fakes; no .env is read."""
    return Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'paperboy.db'}",
        arxiv_api_url=fake_arxiv.api_url,
        arxiv_rss_url=fake_arxiv.rss_url,
        arxiv_categories="cs.LG",
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_api_url=slack.api_url,
    )


class SlackBot:
    """Paperboy's services and its Slack adapter, as `paperboy run` builds them."""

    def __init__(self, settings: Settings, fake_arxiv: FakeArxiv, clock: FakeClock, explainer: Any):
        self.settings = settings
        self.fake_arxiv = fake_arxiv
        self.clock = clock
        self.explainer = explainer
        self.services: Services | None = None
        self.adapter: SlackAdapter | None = None

    async def start(self) -> SlackBot:
        """Build services on a temp SQLite file and connect the adapter to the fake Slack."""
        source = ArxivSource(
            self.fake_arxiv.api_url,
            self.fake_arxiv.rss_url,
            gate=RequestGate(3.0, self.clock),
            timeout=5.0,
            retries=2,
            clock=self.clock,
        )
        self.services = await build_services(
            self.settings, clock=self.clock, source=source, explainer=self.explainer
        )

        async def fake_sleep(seconds: float) -> None:
            self.clock.sleep(seconds)
            await asyncio.sleep(0)

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
    explainer: StandInExplainer,
    slack: FakeSlack,
) -> AsyncIterator[SlackBot]:
    """Paperboy connected to the fake Slack over Socket Mode."""
    running = SlackBot(slack_settings, fake_arxiv, clock, explainer)
    await running.start()
    await slack.wait_connected()
    yield running
    await running.close()


@pytest.fixture
async def make_bot(
    slack_settings: Settings,
    fake_arxiv: FakeArxiv,
    clock: FakeClock,
    explainer: StandInExplainer,
    slack: FakeSlack,
) -> AsyncIterator[Any]:
    """Start Paperboy with some settings changed (`await make_bot(slack_managers="admins")`)."""
    started: list[SlackBot] = []

    async def make(**changes: Any) -> SlackBot:
        settings = Settings(_env_file=None, **{**slack_settings.model_dump(), **changes})
        running = SlackBot(settings, fake_arxiv, clock, explainer)
        started.append(running)  # closed at the end even if starting fails
        return await running.start()

    yield make
    for running in started:
        await running.close()
