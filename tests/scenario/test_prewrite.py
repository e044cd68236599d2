"""Explanations written ahead: once the listing is in, the papers the channels will get are explained,
within the budgets and the LLM's concurrency, so the digests find them ready."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from adapters.console.adapter import CONSOLE_USER
from bot.app import Services, build_prewriter, build_services
from bot.domain.channel import ChannelRef
from bot.domain.commands import Explain, Pause, SetSchedule, Subscribe
from bot.domain.digest import Digest, DigestItem
from bot.domain.replies import PaperCard, Reply
from bot.domain.schedule import parse_cadence
from bot.infra.arxiv import ArxivSource
from bot.infra.storage.llm_store import LlmStore
from bot.runner import Runner
from bot.services import scheduled
from bot.services.catalog import IngestReport
from bot.services.prewrite import Prewriter
from bot.settings import Settings
from tests.fakes.arxiv_papers import OLD_STYLE_ID
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.fakes.llm_server import FakeLlm, settings_for
from tests.support.processes import paperboy_env, run_paperboy
from tests.support.scheduled import post_scheduled
from tests.support.services import fake_arxiv_source

TOPICS = {
    "C1": ["convergence", "cat:math.OC"],
    "C2": ['au:"Deyi Kong"', "diffusion OR scattering"],
    "C3": ["cat:cs.LG -convergence"],
    "C4": ["gradient", "bilevel AND cat:math.OC", "convergence"],
    "C5": [],  # follows nothing
}
# One call's worst case for a digest explanation: 1,500 tokens of prompt and 900 of reply.
WORST_CASE = 2_400


@dataclass
class ItemPublisher:
    """A platform that keeps every digest item posted, explanation included."""

    platform: str = "bench"
    items: dict[str, list[DigestItem]] = field(default_factory=dict)

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        return channel.channel_id

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        self.items.setdefault(channel.channel_id, []).append(item)
        return f"{parent}-{item.paper.arxiv_id}"

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        return "reply"

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        return None

    def demand(self) -> Counter[str]:
        """How many channels were posted each paper."""
        return Counter(item.paper.arxiv_id for items in self.items.values() for item in items)


@dataclass
class Day:
    """Services with an LLM on the fake, four channels with topics, and the listing not read yet."""

    services: Services
    prewriter: Prewriter
    publisher: ItemPublisher
    clock: FakeClock

    async def ingest(self) -> IngestReport:
        """What the scheduled ingest does before it calls the hook."""
        builder = self.services.engine.builder
        return await self.services.catalog.refresh(await builder.all_categories(), force=True)

    async def digests(self) -> None:
        """Every channel's digest, as the scheduler's tick posts them when all fall due together."""
        await post_scheduled(self.services, *[ChannelRef("bench", "W", c) for c in TOPICS])


MakeDay = Callable[..., Awaitable[Day]]


@pytest.fixture
async def make_day(
    settings: Settings, fake_arxiv: FakeArxiv, fake_llm: FakeLlm, clock: FakeClock
) -> AsyncIterator[MakeDay]:
    """Build a `Day` with these settings overrides."""
    made: list[tuple[Services, ArxivSource]] = []

    async def make(**overrides: object) -> Day:
        values = {**settings_for(fake_llm, fake_arxiv), "default_max_papers": 3, **overrides}
        source = fake_arxiv_source(fake_arxiv, clock)
        services = await build_services(settings.model_copy(update=values), clock=clock, source=source)
        made.append((services, source))
        publisher = ItemPublisher()
        services.engine.register_publisher(publisher)
        for channel_id, topics in TOPICS.items():
            ref = ChannelRef("bench", "W", channel_id)
            await services.repository.ensure_channel(ref)
            for topic in topics:
                await services.engine.handle(ref, CONSOLE_USER, Subscribe(topic))
        prewriter = build_prewriter(services)
        assert prewriter is not None
        return Day(services, prewriter, publisher, clock)

    yield make
    for services, source in made:
        await services.close()
        source.close()


async def test_paperboy_runs_scheduled_ingest_starts_writing_ahead_in_the_background(
    make_day: MakeDay, fake_llm: FakeLlm
) -> None:
    day = await make_day()
    runner = Runner(day.services, [])
    assert runner.write_ahead is not None
    fake_llm.delay = 0.2  # each explanation takes a while: the ingest must not wait for them
    await scheduled.ingest(runner.jobs)
    when_the_job_returned = fake_llm.calls
    await runner.write_ahead.idle()
    written = fake_llm.calls
    assert when_the_job_returned < written  # the scheduled job did not wait for the LLM

    fake_llm.delay = 30.0
    day.services.engine.builder.explain_wait = 0.5
    await day.digests()
    items = [item for channel in day.publisher.items.values() for item in channel]
    assert items and all(not item.explanation.is_fallback for item in items)
    assert fake_llm.calls == written == len(day.publisher.demand())


async def test_the_papers_channels_will_get_are_explained_before_their_digests(
    make_day: MakeDay, fake_llm: FakeLlm
) -> None:
    day = await make_day()
    # A paused channel gets no digest: nothing is written for it alone.
    paused = ChannelRef("bench", "W", "C6")
    await day.services.engine.handle(paused, CONSOLE_USER, Subscribe("spectral"))
    await day.services.engine.handle(paused, CONSOLE_USER, Pause())

    report = await day.prewriter.after_ingest(await day.ingest())
    written = fake_llm.calls
    assert report.written == report.papers == written > 0 and report.channels == 4

    # Hours later the LLM is slow; the digests do not wait for it: every item is already written.
    fake_llm.delay = 30.0
    day.services.engine.builder.explain_wait = 0.5
    await day.digests()
    items = [item for channel in day.publisher.items.values() for item in channel]
    assert sorted(day.publisher.items) == ["C1", "C2", "C3", "C4"]
    assert items and all(not item.explanation.is_fallback for item in items)
    assert all("**Key idea.**" in item.explanation.text for item in items)
    assert fake_llm.calls == written
    # Exactly the papers posted were written ahead: none for the paused channel, none to spare.
    assert len(day.publisher.demand()) == written

    # A second run (another ingest the same day) finds them written and asks nothing.
    again = await day.prewriter.prewrite()
    assert again.written == 0 and fake_llm.calls == written


async def test_channels_whose_digest_is_days_away_wait_for_a_later_listing(
    make_day: MakeDay, fake_llm: FakeLlm
) -> None:
    day = await make_day()  # the fake clock says Thursday noon UTC
    for channel_id in TOPICS:
        ref = ChannelRef("bench", "W", channel_id)
        await day.services.engine.handle(ref, CONSOLE_USER, SetSchedule(time(9), "UTC", parse_cadence("mon")))
    report = await day.prewriter.after_ingest(await day.ingest())
    assert report.channels == 0 and fake_llm.calls == 0  # their picks may change by Monday

    await day.services.engine.handle(
        ChannelRef("bench", "W", "C1"), CONSOLE_USER, SetSchedule(time(9), "UTC", parse_cadence("fri"))
    )
    report = await day.prewriter.prewrite()  # Friday 09:00 is within a day
    assert report.channels == 1 and report.written == fake_llm.calls > 0


async def test_a_day_arxiv_skips_writes_nothing(make_day: MakeDay, fake_llm: FakeLlm) -> None:
    day = await make_day()
    report = await day.prewriter.after_ingest(IngestReport(None, True, 0, True))
    assert report.papers == 0 and fake_llm.calls == 0


async def test_within_the_total_budget_the_most_wanted_papers_are_written_first(
    make_day: MakeDay, fake_llm: FakeLlm
) -> None:
    # Each call reserves its worst case and spends 800: room for exactly three calls.
    fake_llm.usage = (600, 200)
    day = await make_day(
        llm_concurrency=1, llm_daily_tokens_total=WORST_CASE + 2 * 800, llm_daily_tokens_per_channel=0
    )
    report = await day.prewriter.after_ingest(await day.ingest())
    assert report.written == 3 == fake_llm.calls
    assert report.refused == report.papers - 3 > 0

    await day.digests()  # the budget is spent: the digests' own calls are refused too
    assert fake_llm.calls == 3
    explained = {
        item.paper.arxiv_id
        for items in day.publisher.items.values()
        for item in items
        if not item.explanation.is_fallback
    }
    papers = await day.services.repository.papers(list(day.publisher.demand()))
    by_demand = sorted(
        day.publisher.demand().items(),
        key=lambda pair: (-pair[1], -papers[pair[0]].published.timestamp(), pair[0]),
    )
    assert explained == {arxiv_id for arxiv_id, _ in by_demand[:3]}
    assert by_demand[0][1] > by_demand[-1][1]  # demand really differs
    used = await LlmStore(day.services.database).usage()
    assert sum(line.tokens for line in used) == 3 * 800


async def test_each_paper_is_charged_to_a_channel_that_gets_it_within_its_budget(
    make_day: MakeDay, fake_llm: FakeLlm
) -> None:
    # Room for one call per channel a day; C1 has spent most of its budget already.
    fake_llm.usage = (600, 200)
    budget = WORST_CASE + 500
    day = await make_day(llm_daily_tokens_per_channel=budget, llm_daily_tokens_total=0)
    store = LlmStore(day.services.database)
    today = day.clock.now().date()
    await store.record_usage("bench:W:C1", today, prompt_tokens=1_500, completion_tokens=500, cost=0.0)

    report = await day.prewriter.after_ingest(await day.ingest())
    assert report.written == fake_llm.calls and report.refused == report.papers - report.written
    await day.digests()

    used = {line.channel_key: line for line in await store.usage()}
    assert used["bench:W:C1"].calls == 1  # only its own earlier call: another receiver paid
    charged = [line for key, line in used.items() if key != "bench:W:C1"]
    assert 2 <= len(charged) == report.written  # spread: one call each
    assert all(line.calls == 1 and line.tokens <= budget for line in charged)
    explained = {
        f"bench:W:{channel_id}": {item.paper.arxiv_id for item in items if not item.explanation.is_fallback}
        for channel_id, items in day.publisher.items.items()
    }
    assert explained["bench:W:C1"]  # C1 still got papers written ahead, paid by others
    assert all(explained.get(line.channel_key) for line in charged)  # every payer got explained papers


async def test_writing_ahead_keeps_to_the_llm_concurrency_and_explain_is_not_queued_behind_it(
    make_day: MakeDay, fake_llm: FakeLlm
) -> None:
    fake_llm.delay = 0.1
    day = await make_day(llm_concurrency=2, llm_full_text=False)
    prewriting = asyncio.create_task(day.prewriter.after_ingest(await day.ingest()))
    await fake_llm.wait_for_request(within=60)  # the first call imports litellm: seconds
    asked = ChannelRef("slack", "T1", "C1")
    # A 1999 paper: in nobody's queue, it waits for a call slot only.
    reply = (await day.services.engine.handle(asked, CONSOLE_USER, Explain(OLD_STYLE_ID))).reply
    assert isinstance(reply, PaperCard) and not reply.explanation.is_fallback
    assert not prewriting.done()  # answered within a call or two, not after the whole queue
    report = await prewriting
    assert report.written >= 6
    assert fake_llm.most_in_flight == 2


async def test_paperboy_ingest_writes_ahead(
    today_arxiv: FakeArxiv, fake_llm: FakeLlm, tmp_path: Path
) -> None:
    # The command's wiring, on SQLite only: the prewriter's queries run on both databases above.
    mine = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'paperboy.db'}",
        arxiv_api_url=today_arxiv.api_url,
        arxiv_rss_url=today_arxiv.rss_url,
        arxiv_categories="cs.LG",
        **settings_for(fake_llm, today_arxiv),
    )
    services = await build_services(mine, clock=FakeClock(wall_start=datetime.now(UTC)))
    await services.engine.handle(ChannelRef("slack", "T1", "C1"), CONSOLE_USER, Subscribe("convergence"))
    await services.close()

    env = paperboy_env(
        tmp_path,
        mine.database_url,
        today_arxiv,
        LLM_PROVIDER="openai",
        LLM_MODEL="fake-model",
        LLM_API_BASE=fake_llm.api_base,
        LLM_API_KEY=fake_llm.api_key,
    )
    shown = await asyncio.to_thread(run_paperboy, env, "ingest")
    assert shown.returncode == 0, shown.stderr
    assert f"Wrote {fake_llm.calls} explanations ahead of the digests" in shown.stdout
    assert fake_llm.calls >= 2
    skipped = await asyncio.to_thread(run_paperboy, env, "ingest", "--no-explain")
    assert skipped.returncode == 0 and "ahead" not in skipped.stdout
