"""The benchmark's world: fakes, real services on a SQLite file, channels and subscriptions in bulk."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import insert, select

from adapters.slack.blocks import digest_header_messages, digest_item_message
from benchmarks.virtual_time import SharedTime, VirtualClock, VirtualWait
from benchmarks.workload import make_papers, make_topics, subscriptions
from bot.app import Services, build_jobs, build_services
from bot.domain.channel import ChannelRef
from bot.domain.clock import Clock
from bot.domain.digest import Digest, DigestItem
from bot.domain.paper import Paper
from bot.domain.replies import Reply
from bot.infra.arxiv import ArxivSource, RequestGate
from bot.infra.storage.tables import ChannelRow, SubscriptionRow, VoteRow
from bot.services.digest_texts import STILL_WRITING
from bot.services.scheduled import ScheduledJobs
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import DEFAULT_WALL_START, FakeClock
from tests.fakes.llm_server import FakeLlm
from tests.fixtures.seed_papers import SEED_ANNOUNCED

ROOT = Path(__file__).resolve().parents[1]
INSERT_ROWS = 5_000


@dataclass
class CountingPublisher:
    """A chat platform that accepts every post at once, rendering it as Slack Block Kit first.

    It notes when each channel's digest was last posted to (on the benchmark's clock) and which
    items carried their explanation.
    """

    clock: Clock
    platform: str = "bench"
    messages: int = 0
    headers: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)
    distinct_papers: set[str] = field(default_factory=set)
    blocks: int = 0
    explained_items: int = 0
    still_writing_items: int = 0
    last_post: dict[str, datetime] = field(default_factory=dict)

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        self.blocks += sum(len(m.blocks) for m in digest_header_messages(digest))
        self.messages += 1
        self.headers[channel.channel_id] = self.headers.get(channel.channel_id, 0) + 1
        self.items.setdefault(channel.channel_id, 0)
        self.last_post[channel.channel_id] = self.clock.now()
        return f"{channel.channel_id}:{self.messages}"

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        self.blocks += len(digest_item_message(item).blocks)
        self.messages += 1
        self.items[channel.channel_id] += 1
        self.distinct_papers.add(item.paper.arxiv_id)
        self.explained_items += not item.explanation.is_fallback
        self.still_writing_items += item.explanation.text.startswith(STILL_WRITING[:30])
        self.last_post[channel.channel_id] = self.clock.now()
        return f"{parent}:{self.messages}"

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        self.messages += 1
        return f"{channel.channel_id}:{self.messages}"

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        return None


class RemoteLlm:
    """The fake LLM server in a child process, as a real LLM is elsewhere: its CPU is not ours.

    With `latency`, every reply waits that many seconds of the shared virtual time.
    """

    def __init__(self, latency: float = 0.0, shared: SharedTime | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_llm, args=(child, latency, shared), daemon=True)
        self._process.start()
        self.api_base, self.api_key = self._conn.recv()

    @property
    def calls(self) -> int:
        """Chat completions the server was asked for."""
        self._conn.send("calls")
        return int(self._conn.recv())

    @property
    def most_in_flight(self) -> int:
        """The most requests the server held at once."""
        self._conn.send("most")
        return int(self._conn.recv())

    def stop(self) -> None:
        """Stop the child."""
        self._conn.send("stop")
        self._process.join(timeout=10)


def _serve_llm(conn: Connection, latency: float, shared: SharedTime | None) -> None:
    with FakeLlm(wait=VirtualWait(shared) if shared else None) as fake:
        fake.delay = latency
        conn.send((fake.api_base, fake.api_key))
        while (message := conn.recv()) != "stop":
            conn.send({"calls": fake.calls, "most": fake.most_in_flight}.get(message))


@dataclass
class World:
    """Everything one benchmark run needs."""

    services: Services
    jobs: ScheduledJobs
    source: ArxivSource
    gate: RequestGate
    llm: RemoteLlm
    publisher: CountingPublisher
    clock: FakeClock | VirtualClock
    papers: list[Paper]
    topics: list[str]
    subscriptions: int
    setup_seconds: float


@asynccontextmanager
async def build_world(
    args: argparse.Namespace, folder: Path, shared: SharedTime | None = None
) -> AsyncIterator[World]:
    """Fakes up, services built, channels and their topics stored; torn down afterwards.

    With `shared` (the `--llm-latency` mode) the services, the arXiv gate and the fake LLM run on
    the virtual clock, the LLM answers after `args.llm_latency` virtual seconds, and digests wait
    for their explanations as long as a deployment's default does.
    """
    import litellm  # noqa: F401  (a running bot has it loaded; its 3-4 s import is not a cycle's cost)

    started = time.perf_counter()
    papers = make_papers(args.papers, args.seed, SEED_ANNOUNCED)
    topics = make_topics(args.topics, args.seed + 1)
    clock: FakeClock | VirtualClock = (
        FakeClock() if shared is None else VirtualClock(shared, DEFAULT_WALL_START)
    )
    llm = RemoteLlm() if shared is None else RemoteLlm(args.llm_latency, shared)
    overrides = {} if shared is None else {"llm_concurrency": args.llm_concurrency, "llm_digest_wait": 120.0}
    with FakeArxiv([(p, "new") for p in papers]) as arxiv:
        gate = RequestGate(3.0, clock)
        source = ArxivSource(arxiv.api_url, arxiv.rss_url, gate=gate, timeout=60, retries=2, clock=clock)
        settings = Settings(
            _env_file=None,
            data_dir=folder,
            database_url=f"sqlite+aiosqlite:///{folder / 'paperboy.db'}",
            arxiv_api_url=arxiv.api_url,
            arxiv_rss_url=arxiv.rss_url,
            arxiv_categories="cs.LG",
            llm_provider="openai",
            llm_model="fake-model",
            llm_api_base=llm.api_base,
            llm_api_key=SecretStr(llm.api_key),
            llm_concurrency=8,
            llm_digest_wait=600,
            # The default total (2M tokens a day) is sized for a small bot, not 3,000 papers.
            llm_daily_tokens_total=0,
        ).model_copy(update=overrides)
        services = await build_services(settings, clock=clock, source=source)
        try:
            publisher = CountingPublisher(clock=clock)
            services.engine.register_publisher(publisher)
            count = await _store_channels(services, args, topics, clock)
            await _store_votes(services, args, clock)
            world = World(
                services,
                build_jobs(services),
                source,
                gate,
                llm,
                publisher,
                clock,
                papers,
                topics,
                count,
                time.perf_counter() - started,
            )
            yield world
        finally:
            await services.close()
            source.close()
            llm.stop()


async def _store_channels(
    services: Services, args: argparse.Namespace, topics: list[str], clock: Clock
) -> int:
    """Channels and subscriptions in bulk, streamed in chunks so 100k channels stay small in memory."""
    now = clock.now()
    channel_table = ChannelRow.__table__  # type: ignore[attr-defined]
    subscription_table = SubscriptionRow.__table__  # type: ignore[attr-defined]
    stream = subscriptions(args.channels, topics, args.seed + 2, args.per_channel)
    count = 0
    for start in range(0, args.channels, INSERT_ROWS):
        end = min(args.channels, start + INSERT_ROWS)
        async with services.database.begin() as connection:
            await connection.execute(
                insert(channel_table),
                [
                    {
                        "platform": "bench",
                        "workspace": "W",
                        "channel_id": f"C{i:06d}",
                        "name": f"team-{i}",
                        "timezone": "UTC",
                        "digest_time": "09:00",
                        "weekdays": "mon,tue,wed,thu,fri,sat,sun",
                        "max_papers": 10,
                        "paused": False,
                        "created_at": now,
                    }
                    for i in range(start, end)
                ],
            )
            ids = (
                await connection.execute(
                    select(channel_table.c.id, channel_table.c.channel_id).where(
                        channel_table.c.channel_id.in_([f"C{i:06d}" for i in range(start, end)])
                    )
                )
            ).all()
            pks = dict((cid, pk) for pk, cid in ids)
            rows = []
            for i in range(start, end):
                for topic in next(stream):
                    rows.append(
                        {"channel_pk": pks[f"C{i:06d}"], "topic": topic, "added_by": "bench", "added_at": now}
                    )
            count += len(rows)
            await connection.execute(insert(subscription_table), rows)
    return count


async def _store_votes(services: Services, args: argparse.Namespace, clock: Clock) -> None:
    """`--votes-per-channel` real votes a channel on last week's papers, two members' worth: each
    channel's model is learned, cold, in the measured cycle, and ranks the day's candidates."""
    per_channel = getattr(args, "votes_per_channel", 0)
    if not per_channel:
        return
    week_before = SEED_ANNOUNCED - timedelta(days=7)
    history = [
        replace(p, arxiv_id=p.arxiv_id.replace("2602.", "2601."), announced=week_before)
        for p in make_papers(2_000, args.seed + 3, week_before)
    ]
    await services.repository.save_papers(history)
    rng = random.Random(args.seed + 4)
    now = clock.now()
    vote_table = VoteRow.__table__  # type: ignore[attr-defined]
    async with services.database.begin() as connection:
        pks = (await connection.execute(select(ChannelRow.__table__.c.id))).scalars().all()  # type: ignore[attr-defined]
        for start in range(0, len(pks), INSERT_ROWS // per_channel or 1):
            rows = [
                {
                    "channel_pk": pk,
                    "arxiv_id": paper.arxiv_id,
                    "user_id": f"member-{n % 2}",
                    "value": 1 if rng.random() < 0.5 else -1,
                    "weak": False,
                    "voted_at": now,
                }
                for pk in pks[start : start + (INSERT_ROWS // per_channel or 1)]
                for n, paper in enumerate(rng.sample(history, per_channel))
            ]
            await connection.execute(insert(vote_table), rows)


HELP_RUNS = 9


def installed_paperboy() -> Path:
    """The `paperboy` command this interpreter's environment installed (pip's console script)."""
    found = Path(sys.executable).with_name("paperboy")
    if not found.exists():
        raise SystemExit(f"no {found}: install Paperboy in this environment first (pip install -e .)")
    return found


def help_time(runs: int = HELP_RUNS) -> float:
    """`paperboy --help` as a person runs it: the installed command, whole process, median of 9, in ms.

    One run first, not counted, with bytecode writing allowed: pip compiles an installed package,
    and a shell with PYTHONDONTWRITEBYTECODE=1 would otherwise time compiling any changed module.
    """
    command = [str(installed_paperboy()), "--help"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env=env)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000
