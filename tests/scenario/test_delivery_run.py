"""One delivery path: the scheduler's run for many channels posts what `/paper digest` posts for
each, through the same code, and never a paper twice."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from adapters.console.adapter import CONSOLE_USER
from adapters.console.render import render_digest
from bot.app import Services, build_services
from bot.domain.channel import ChannelRef
from bot.domain.commands import Pause, PostDigest, Subscribe
from bot.domain.digest import Digest, DigestItem
from bot.domain.replies import Reply
from bot.infra.arxiv import ArxivSource, RequestGate
from bot.infra.storage.delivery_batches import DeliveryBatches
from bot.ports import ChannelUnavailable, Claim
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.support.scheduled import post_scheduled

TOPICS = {
    "C1": ["convergence", "cat:math.OC"],
    "C2": ['au:"Deyi Kong"', "diffusion OR scattering"],
    "C3": ["cat:cs.LG -convergence"],
    "C4": ["gradient", "bilevel AND cat:math.OC", "convergence"],
    "C5": [],  # follows nothing: a scheduled run posts nothing there
}


@dataclass
class RecordingPublisher:
    """A platform that accepts every post and keeps each channel's messages in order."""

    platform: str = "bench"
    refuse: set[str] = field(default_factory=set)
    posts: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, int] = field(default_factory=dict)
    found: dict[str, str] = field(default_factory=dict)  # what find_post reports as already posted

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        if channel.channel_id in self.refuse:
            raise ChannelUnavailable("not_in_channel")
        self.headers[channel.channel_id] = self.headers.get(channel.channel_id, 0) + 1
        self.posts.setdefault(channel.channel_id, []).append(render_digest(digest).split("\n")[0])
        return f"{channel.channel_id}-h{self.headers[channel.channel_id]}"

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        self.posts[channel.channel_id].append(f"{item.position}) {item.paper.arxiv_id} [{item.why}]")
        return f"{parent}-{item.paper.arxiv_id}"

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        return "reply"

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        return self.found.get(arxiv_id)

    def papers(self, channel_id: str) -> list[str]:
        """Every paper id posted in the channel."""
        return [line.split()[1] for line in self.posts.get(channel_id, []) if ") " in line[:4]]


async def _services(settings: Settings, fake: FakeArxiv, clock: FakeClock, name: str) -> Services:
    source = ArxivSource(
        fake.api_url, fake.rss_url, gate=RequestGate(3.0, clock), timeout=5.0, retries=1, clock=clock
    )
    mine = settings.model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{settings.data_dir / name}.db", "default_max_papers": 3}
    )
    services = await build_services(mine, clock=clock, source=source)
    publisher = RecordingPublisher()
    services.engine.register_publisher(publisher)
    for channel_id, topics in TOPICS.items():
        ref = ChannelRef("bench", "W", channel_id, channel_id.lower())
        await services.repository.ensure_channel(ref)
        for topic in topics:
            await services.engine.handle(ref, CONSOLE_USER, Subscribe(topic))
    return services


@pytest.fixture
async def pair(
    settings: Settings, fake_arxiv: FakeArxiv, clock: FakeClock
) -> AsyncIterator[tuple[Services, Services]]:
    """Two bots with the same channels and topics on separate databases, reading the same arXiv."""
    one = await _services(settings, fake_arxiv, clock, "per-channel")
    many = await _services(settings, fake_arxiv, clock, "cycle")
    yield one, many
    await one.close()
    await many.close()


def _publisher(services: Services) -> RecordingPublisher:
    publisher = services.engine.publishers.get("bench")
    assert isinstance(publisher, RecordingPublisher)
    return publisher


async def _per_channel(services: Services) -> None:
    """Each channel that follows something asks for its digest on its own: `/paper digest`."""
    for channel in await services.repository.all_channels():
        if await services.repository.topics(channel.ref):
            await services.engine.handle(channel.ref, CONSOLE_USER, PostDigest())


def _all() -> list[ChannelRef]:
    return [ChannelRef("bench", "W", c) for c in TOPICS]


async def test_the_scheduled_run_posts_what_each_channel_gets_on_demand(
    pair: tuple[Services, Services],
) -> None:
    one, many = pair
    await _per_channel(one)
    report = await post_scheduled(many, *_all())
    assert report is not None

    assert _publisher(many).posts == _publisher(one).posts
    assert _publisher(many).posts["C1"][1:] != []  # something was posted, not only headers
    assert "C5" not in _publisher(many).posts
    assert report.digests == 4 and report.failed == []
    assert report.papers_posted == sum(len(_publisher(many).papers(c)) for c in TOPICS)
    # Both record the same deliveries, and each channel's read mark moved on.
    for channel_id in TOPICS:
        ref = ChannelRef("bench", "W", channel_id)
        assert await many.repository.posted_count(ref) == await one.repository.posted_count(ref)
        state = await many.repository.get_channel(ref)
        assert state is not None and (state.last_digest_at is not None) == bool(TOPICS[channel_id])


async def test_a_second_cycle_and_a_later_digest_repeat_no_paper(pair: tuple[Services, Services]) -> None:
    _, many = pair
    await post_scheduled(many, *_all())
    first = {c: _publisher(many).papers(c) for c in TOPICS}
    # Each channel is capped at 3, so C4 (many matches) has more waiting: the next runs bring them.
    await post_scheduled(many, *_all())
    await _per_channel(many)
    for channel_id in TOPICS:
        papers = _publisher(many).papers(channel_id)
        assert len(papers) == len(set(papers)), f"{channel_id} got a paper twice: {papers}"
        assert papers[: len(first[channel_id])] == first[channel_id]
    assert _publisher(many).headers["C4"] == 3  # one parent message per run


async def test_a_post_an_interrupted_run_made_is_confirmed_and_not_posted_again(
    pair: tuple[Services, Services],
) -> None:
    one, many = pair
    await _per_channel(one)
    wanted = _publisher(one).papers("C1")
    ref = ChannelRef("bench", "W", "C1")
    await many.catalog.refresh(["cs.LG"], everything=many.engine.builder.all_categories)
    papers = await many.repository.papers(wanted[:1])
    batches = DeliveryBatches(many.database)
    (c1,) = await batches.channels([ref])
    died = [Claim(c1.pk, p.arxiv_id, p.version, "died-run") for p in papers.values()]
    assert await batches.claim(died, many.engine.clock.now()) == {(c1.pk, wanted[0])}
    _publisher(many).found = {wanted[0]: "C1-old-post"}  # the dead run's post did go out

    await post_scheduled(many, *_all())
    # The run completes the interrupted digest: the dead run's post counts against the cap of 3,
    # and the rest come in the same order.
    assert _publisher(many).papers("C1") == wanted[1:3]
    assert await many.repository.posted_count(ref) == 3
    assert await many.repository.paper_for_message(ref, "C1-old-post") == wanted[0]


async def test_papers_another_run_holds_are_not_claimed_again(pair: tuple[Services, Services]) -> None:
    _, many = pair
    await many.catalog.refresh(["cs.LG"], everything=many.engine.builder.all_categories)
    batches = DeliveryBatches(many.database)
    (c1,) = await batches.channels([ChannelRef("bench", "W", "C1")])
    ids = ["2611.20001", "2611.20002", "2611.20003"]
    first = await batches.claim([Claim(c1.pk, i, 1, "run-a") for i in ids[:2]], many.engine.clock.now())
    second = await batches.claim([Claim(c1.pk, i, 1, "run-b") for i in ids], many.engine.clock.now())
    assert first == {(c1.pk, ids[0]), (c1.pk, ids[1])}
    assert second == {(c1.pk, ids[2])}


async def test_a_refusing_channel_is_paused_and_keeps_its_papers_while_others_get_theirs(
    pair: tuple[Services, Services],
) -> None:
    _, many = pair
    _publisher(many).refuse = {"C2"}
    report = await post_scheduled(many, *_all())
    assert report is not None
    assert [r.channel_id for r in report.failed] == ["C2"]
    assert _publisher(many).papers("C1") and _publisher(many).papers("C4")
    refused = ChannelRef("bench", "W", "C2")
    state = await many.repository.get_channel(refused)
    assert state is not None and state.paused and state.last_digest_at is None
    assert await many.repository.pending_deliveries(refused) == []
    assert await many.repository.posted_count(refused) == 0

    # Once the bot is back in the channel, the papers are still due.
    _publisher(many).refuse = set()
    await many.repository.update_channel(refused, paused=False)
    await many.engine.handle(refused, CONSOLE_USER, PostDigest())
    assert _publisher(many).papers("C2")


async def test_paused_channels_and_platforms_not_running_are_skipped(pair: tuple[Services, Services]) -> None:
    _, many = pair
    await many.engine.handle(ChannelRef("bench", "W", "C1"), CONSOLE_USER, Pause())
    elsewhere = ChannelRef("discord", "G", "D1")
    await many.engine.handle(elsewhere, CONSOLE_USER, Subscribe("convergence"))
    report = await post_scheduled(many, *_all(), elsewhere)
    assert report is not None
    assert "C1" not in _publisher(many).posts
    assert report.channels == 4 and report.digests == 3
    assert await many.repository.posted_count(elsewhere) == 0


async def test_channels_due_together_share_one_run_and_each_gets_its_digest(
    pair: tuple[Services, Services], caplog: pytest.LogCaptureFixture
) -> None:
    one, many = pair
    caplog.set_level(logging.INFO)
    await _per_channel(one)
    await post_scheduled(many, *_all())

    assert "scheduled digests for 5 channels in one run" in caplog.text
    assert _publisher(many).posts == _publisher(one).posts
    assert max(_publisher(many).headers.values()) == 1


async def test_a_reconcile_during_the_cycle_leaves_its_claims_alone(pair: tuple[Services, Services]) -> None:
    _, many = pair
    publisher = _publisher(many)
    delivery = many.engine.delivery
    reconciles = []

    async def reconcile_midway(channel: ChannelRef, digest: Digest, item: DigestItem, parent: str) -> str:
        # Another digest starting now reconciles; this cycle's claims are live, not leftovers.
        reconciles.append(await delivery.posts.reconcile())
        return await RecordingPublisher.post_digest_item(publisher, channel, digest, item, parent)

    publisher.post_digest_item = reconcile_midway  # type: ignore[method-assign]
    await post_scheduled(many, *_all())

    assert reconciles and all(r.released == 0 and r.confirmed == 0 for r in reconciles)
    for channel_id in TOPICS:
        ref = ChannelRef("bench", "W", channel_id)
        assert await many.repository.posted_count(ref) == len(publisher.papers(channel_id))
        assert await many.repository.pending_deliveries(ref) == []


async def test_a_scheduled_and_an_on_demand_digest_take_the_same_path(
    pair: tuple[Services, Services], caplog: pytest.LogCaptureFixture
) -> None:
    _, many = pair
    caplog.set_level(logging.INFO)
    asked, due = ChannelRef("bench", "W", "C1"), ChannelRef("bench", "W", "C4")
    await many.engine.handle(asked, CONSOLE_USER, PostDigest())
    await post_scheduled(many, due)

    # Both were claimed, posted and recorded by the one delivery run, which logs each channel's run.
    runs = [r.getMessage() for r in caplog.records if r.name == "bot.services.delivery"]
    assert any(f"for {asked.key} posted 3 papers" in line for line in runs)
    assert any(f"for {due.key} posted 3 papers" in line for line in runs)
    assert _publisher(many).headers == {"C1": 1, "C4": 1}
