"""Never twice, never lost: interrupted posts, a platform refusing one channel, arXiv down at digest time."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest

from bot.domain.channel import Actor, ChannelRef
from bot.domain.commands import Subscribe
from bot.domain.digest import Digest, DigestItem
from bot.domain.replies import Notice, Reply
from bot.infra.storage.delivery_batches import DeliveryBatches
from bot.ports import ChannelUnavailable, Claim
from tests.scenario.conftest import ConsoleChat
from tests.support.scheduled import post_scheduled

MEMBER = Actor("U1", "member")


@dataclass
class MemoryPlatform:
    """An in-memory chat platform (an implementation of the core's Publisher interface).

    It remembers every message per channel and can be told to fail: `refuse` channels as a
    platform refuses an archived channel, or `crash_after` posts to stand for a process killed
    right after the platform accepted a post but before Paperboy recorded it.
    """

    platform: str = "memory"
    messages: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    refuse: set[str] = field(default_factory=set)
    crash_after: int | None = None
    counter: itertools.count[int] = field(default_factory=itertools.count)

    def papers(self, channel: ChannelRef) -> list[str]:
        """The arXiv ids posted to a channel, in order."""
        return [text for kind, text in self.messages.get(channel.channel_id, []) if kind == "item"]

    def notices(self, channel: ChannelRef) -> list[str]:
        """The notices posted to a channel."""
        return [text for kind, text in self.messages.get(channel.channel_id, []) if kind == "notice"]

    def _post(self, channel: ChannelRef, kind: str, text: str) -> str:
        if channel.channel_id in self.refuse:
            raise ChannelUnavailable("channel_not_found")
        self.messages.setdefault(channel.channel_id, []).append((kind, text))
        return f"m{next(self.counter)}:{text}"

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        return self._post(channel, "header", str(len(digest.items)))

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        ref = self._post(channel, "item", item.paper.arxiv_id)
        if self.crash_after is not None and len(self.papers(channel)) >= self.crash_after:
            self.crash_after = None
            raise TimeoutError("the platform took too long to answer")
        return ref

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        return self._post(
            channel, "notice", reply.text if isinstance(reply, Notice) else type(reply).__name__
        )

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        return next((f"found:{arxiv_id}" for p in self.papers(channel) if p == arxiv_id), None)


@pytest.fixture
def platform(chat: ConsoleChat) -> MemoryPlatform:
    assert chat.services is not None
    memory = MemoryPlatform()
    chat.services.engine.register_publisher(memory)
    return memory


def channel(name: str) -> ChannelRef:
    return ChannelRef("memory", "W1", name, name)


async def subscribe(chat: ConsoleChat, ref: ChannelRef, topic: str = "convergence") -> None:
    assert chat.services is not None
    await chat.services.engine.handle(ref, MEMBER, Subscribe(topic))


async def test_a_post_that_went_out_before_a_crash_is_confirmed_not_repeated(
    chat: ConsoleChat, platform: MemoryPlatform
) -> None:
    assert chat.services is not None
    lab = channel("lab")
    await subscribe(chat, lab)
    platform.crash_after = 3  # the third post is accepted, then the answer is lost
    report = await chat.services.engine.delivery.run([lab])
    assert report.failed == [lab]
    first_three = platform.papers(lab)
    assert len(first_three) == 3

    await chat.services.engine.delivery.run([lab])
    posted = platform.papers(lab)
    assert posted[:3] == first_three
    assert len(posted) == 10  # the retry completes the interrupted digest of ten...
    assert len(set(posted)) == len(posted)  # ...and nothing twice


async def test_claims_left_by_a_killed_run_are_settled_on_start(
    chat: ConsoleChat, platform: MemoryPlatform
) -> None:
    assert chat.services is not None
    lab = channel("lab")
    await subscribe(chat, lab)
    plan = await chat.services.engine.builder.build(await chat.services.repository.ensure_channel(lab))
    papers = [item.paper for item in plan.digest.items]
    # A run claimed four papers, posted two of them, and was killed before confirming anything.
    batches = DeliveryBatches(chat.services.database)
    (stored,) = await batches.channels([lab])
    dead = [Claim(stored.pk, p.arxiv_id, p.version, "dead-run") for p in papers[:4]]
    await batches.claim(dead, chat.clock.now())
    platform.messages["lab"] = [("item", p.arxiv_id) for p in papers[:2]]

    report = await chat.services.engine.delivery.posts.reconcile()
    assert (report.confirmed, report.released) == (2, 2)
    await chat.services.engine.delivery.run([lab])
    posted = platform.papers(lab)
    assert {p.arxiv_id for p in papers[:4]} <= set(posted)  # the two lost posts are made after all
    assert len(posted) == 10  # the interrupted digest is completed, not topped up
    assert len(posted) == len(set(posted))


async def test_one_refusing_channel_is_paused_and_the_others_get_their_digest(
    chat: ConsoleChat, platform: MemoryPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    assert chat.services is not None
    good, archived, other = channel("good"), channel("archived"), channel("other")
    for ref in (good, archived, other):
        await subscribe(chat, ref)
    platform.refuse.add("archived")
    await post_scheduled(chat.services, good, archived, other)

    assert len(platform.papers(good)) == 10
    assert len(platform.papers(other)) == 10
    state = await chat.services.repository.get_channel(archived)
    assert state is not None and state.paused
    assert "paused memory:W1:archived" in caplog.text
    assert "channel_not_found" in caplog.text
    # Nothing was recorded for the refusing channel: its papers stay due if it comes back.
    assert await chat.services.repository.posted_count(archived) == 0


async def test_arxiv_down_at_digest_time_delays_the_digest_and_says_why(
    chat: ConsoleChat, platform: MemoryPlatform
) -> None:
    assert chat.services is not None
    settings = chat.services.settings
    settings.digest_retry_seconds = 0.01
    settings.digest_late_after = 0.02
    lab = channel("lab")
    await subscribe(chat, lab)
    chat.fake.fail_next(9, status=503)  # three digest attempts' worth of failed listing fetches

    await post_scheduled(chat.services, lab)

    notices = platform.notices(lab)
    assert len(notices) == 1
    assert notices[0].startswith("Today's digest is late: arXiv did not answer (HTTP 503)")
    assert len(platform.papers(lab)) == 10


async def test_while_arxiv_is_down_channels_share_one_failure(
    chat: ConsoleChat, platform: MemoryPlatform
) -> None:
    chat.settings.arxiv_failure_cooldown = 600
    await chat.restart()
    assert chat.services is not None
    chat.services.engine.register_publisher(platform)
    channels = [channel(f"c{n}") for n in range(10)]
    for ref in channels:
        await subscribe(chat, ref)
    chat.fake.fail_next(100, status=503)
    for ref in channels:
        with pytest.raises(Exception, match="arXiv did not answer"):
            await chat.services.engine.delivery.run([ref])
    # One listing attempt (with its retries) for all ten channels.
    assert len(chat.fake.requests_to("/rss")) == 3
