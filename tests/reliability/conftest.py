"""Real `paperboy run` processes against the fake Slack (in the test's loop) and the fake arXiv.

The database is prepared in the test process: channels subscribed, their digest due a few minutes
ago, today's listing already read (through a fake-clock arXiv gate, so no real 3-second waits), so
each process only catches up on its digest and posts it. The fake Slack can hold any call
unanswered; the test then SIGKILLs the process at exactly that point.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import Services, build_services
from bot.domain.channel import ChannelRef
from bot.domain.schedule import Schedule
from bot.infra.arxiv import ArxivSource, RequestGate
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.fakes.slack_payloads import TEAM_ID
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.support.processes import KEPT_VARIABLES, paperboy_env

PAPERS = ChannelRef("slack", TEAM_ID, "C0PAPERS", "papers")
START_TIMEOUT = 60.0


def is_item(args: dict[str, Any]) -> bool:
    """A digest item's chat.postMessage: it names a paper and a run, and is not in a thread."""
    payload = (args.get("metadata") or {}).get("event_payload") or {}
    return bool(payload.get("run_id")) and not args.get("thread_ts")


def is_header(args: dict[str, Any]) -> bool:
    """A digest's parent message: no paper named, not in a thread."""
    text = str(args.get("text", ""))
    return not args.get("metadata") and not args.get("thread_ts") and text.startswith("Paperboy digest")


def paper_of(args: dict[str, Any]) -> str:
    """The paper a post's metadata names ("" for none)."""
    return str(((args.get("metadata") or {}).get("event_payload") or {}).get("arxiv_id", ""))


class BotProcess:
    """One `paperboy run`; its log lines are collected as they arrive, so tests wait on events."""

    def __init__(self, env: dict[str, str], cwd: Path):
        self._env = env
        self._cwd = cwd
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self.exited = False

    async def start(self) -> BotProcess:
        """Launch the process (it logs to stderr)."""
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            env=self._env,
            cwd=self._cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        async for raw in self._process.stderr:
            async with self._changed:
                self.lines.append(raw.decode(errors="replace").rstrip())
                self._changed.notify_all()
        await self._process.wait()
        async with self._changed:
            self.exited = True
            self._changed.notify_all()

    @property
    def log(self) -> str:
        """Everything the process logged so far."""
        return "\n".join(self.lines)

    async def wait_for_log(self, pattern: str, within: float = START_TIMEOUT) -> str:
        """The first log line matching `pattern`; fails if the process exits without it."""

        def found() -> str | None:
            return next((line for line in self.lines if re.search(pattern, line)), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() or self.exited), within)
        line = found()
        assert line is not None, f"the process exited without logging {pattern!r}:\n{self.log}"
        return line

    async def kill(self) -> None:
        """SIGKILL: no cleanup, no last words."""
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        await self._finish()

    async def stop(self) -> int:
        """SIGTERM, as an operator stops it; returns the exit code."""
        assert self._process is not None
        if self._process.returncode is None:
            self._process.send_signal(signal.SIGTERM)
        return await self._finish()

    async def _finish(self) -> int:
        assert self._process is not None and self._reader is not None
        code = await asyncio.wait_for(self._process.wait(), START_TIMEOUT)
        await self._reader
        return code


class Deployment:
    """One bot installation: its database, its Slack workspace, its arXiv, and its processes."""

    def __init__(self, tmp_path: Path, arxiv: FakeArxiv, slack: FakeSlack):
        self.tmp_path = tmp_path
        self.arxiv = arxiv
        self.slack = slack
        self.processes: list[BotProcess] = []
        self.env = paperboy_env(
            tmp_path,
            f"sqlite:///{tmp_path / 'paperboy.db'}",
            arxiv,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=slack.api_url,
            SLACK_POST_INTERVAL="0",
            LOG_LEVEL="INFO",
        )

    def settings(self) -> Settings:
        """The processes' settings, for preparing and inspecting the database from the test."""
        values = {k.lower(): v for k, v in self.env.items() if k not in KEPT_VARIABLES}
        return Settings(_env_file=None, **values)

    @contextlib.asynccontextmanager
    async def services(self, *, clock: FakeClock | None = None) -> AsyncIterator[Services]:
        """The installation's services in the test process; arXiv's 3-second gate runs on a fake clock."""
        gate_clock = FakeClock()
        source = ArxivSource(
            self.arxiv.api_url,
            self.arxiv.rss_url,
            gate=RequestGate(3.0, gate_clock),
            timeout=5.0,
            retries=0,
            clock=gate_clock,
        )
        services = await build_services(self.settings(), clock=clock, source=source)
        try:
            yield services
        finally:
            await services.close()
            source.close()

    async def prepare(
        self,
        channels: list[ChannelRef],
        *,
        last_digest: timedelta = timedelta(days=2),
        covered_through: date | None = None,
        due_minutes_ago: int = 5,
        max_papers: int = 5,
        listing_age: timedelta = timedelta(0),
    ) -> dict[str, list[str]]:
        """Subscribe channels to `convergence`, due `due_minutes_ago` with the last digest long ago.

        Today's listing is read `listing_age` ago (before arXiv's last midnight, US Eastern, the bot
        reads it again).
        Returns each channel's due papers, in digest order, as the bot will pick them.
        """
        now = datetime.now(UTC)
        at = (now - timedelta(minutes=due_minutes_ago)).time().replace(second=0, microsecond=0)
        clock = FakeClock(wall_start=now - listing_age) if listing_age else None
        due: dict[str, list[str]] = {}
        async with self.services(clock=clock) as services:
            repository = services.repository
            for ref in channels:
                await repository.ensure_channel(ref)
                await repository.add_topic(ref, "convergence", "ada")
                schedule = Schedule(at=at, timezone="UTC")
                await repository.update_channel(ref, schedule=schedule, max_papers=max_papers)
                await repository.mark_digest_done(ref, now - last_digest, covered_through)
                state = await repository.get_channel(ref)
                assert state is not None
                plan = await services.engine.builder.build(state, explain=False)
                due[ref.channel_id] = [item.paper.arxiv_id for item in plan.digest.items]
        return due

    async def start(self) -> BotProcess:
        """A new `paperboy run` on this installation."""
        process = await BotProcess(self.env, self.tmp_path).start()
        self.processes.append(process)
        return process

    async def run_until_digest_done(self, channel: ChannelRef = PAPERS) -> BotProcess:
        """Start a process, wait for the channel's digest run to finish, stop it with SIGTERM."""
        process = await self.start()
        await process.wait_for_log(rf"digest run \w+ for {re.escape(channel.key)} posted \d+ papers")
        assert await process.stop() == 0, process.log
        return process

    def items(self, channel: ChannelRef = PAPERS) -> Counter[str]:
        """How many times each paper was posted to the channel as a digest item."""
        return Counter(paper_of(p) for p in self.slack.posts(channel.channel_id) if is_item(p))

    def headers(self, channel: ChannelRef = PAPERS) -> list[dict[str, Any]]:
        """The digest parent messages posted to the channel."""
        return [p for p in self.slack.posts(channel.channel_id) if is_header(p)]

    async def close(self) -> None:
        """Kill whatever is still running."""
        for process in self.processes:
            if not process.exited:
                with contextlib.suppress(ProcessLookupError, AssertionError, TimeoutError):
                    await process.kill()


@pytest.fixture
async def deployment(tmp_path: Path, today_arxiv: FakeArxiv) -> AsyncIterator[Deployment]:
    """A fresh installation with its own fake Slack."""
    async with FakeSlack() as slack:
        installed = Deployment(tmp_path, today_arxiv, slack)
        try:
            yield installed
        finally:
            await installed.close()
