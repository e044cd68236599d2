"""Each channel's would-be digest papers, for a batch of channels at once.

The digest cycle posts these picks; the prewriter writes their explanations ahead of time. Both
ask here, so the papers written ahead are exactly the papers the digests will choose.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import date

from bot.domain.topics import Topic, read_topic
from bot.infra.storage.delivery_batches import DeliveryBatches, StoredChannel
from bot.services.digests import DigestBuilder, Ranked

Timing = Callable[[str], AbstractContextManager[None]]


def untimed(_step: str) -> AbstractContextManager[None]:
    """A `Timing` that measures nothing."""
    return nullcontext()


@dataclass(frozen=True, slots=True)
class DueChannel:
    """A channel with topics, its cap lowered by what an interrupted run already posted."""

    channel: StoredChannel
    today: date
    topics: list[Topic]
    since: date
    already: int = 0  # papers an interrupted run posted since the last finished digest


@dataclass(frozen=True, slots=True)
class Picked:
    """A channel's chosen papers, best first, and how many more matched beyond its cap."""

    due: DueChannel
    chosen: list[Ranked]
    more: int


class ChannelPicks:
    """Matches and chooses for a batch of channels with the builder's own steps, in a few queries."""

    def __init__(self, builder: DigestBuilder, batches: DeliveryBatches) -> None:
        self._builder = builder
        self._batches = batches

    async def pick(
        self,
        batch: list[StoredChannel],
        parsed: dict[str, Topic],
        latest: date | None,
        timing: Timing = untimed,
    ) -> list[Picked]:
        """What each channel of the batch would be posted now; channels without topics are left out.

        `parsed` caches topic texts already parsed, so a run over many batches parses each once;
        `latest` is the newest announcement day a channel's coverage may reach (`seen_through`).
        """
        with timing("read"):
            pks = [c.pk for c in batch]
            topics = await self._batches.topics(pks)
            # Posts an interrupted run made since the last finished digest count against the cap, so
            # the restarted run completes that digest.
            already = await self._batches.since_last_digest(pks)
        due: list[DueChannel] = []
        for channel in batch:
            texts = topics.get(channel.pk)
            if not texts:  # a channel that follows nothing gets nothing
                continue
            today = self._builder.today(channel.state)
            found = [parsed.get(t) or parsed.setdefault(t, read_topic(t)) for t in texts]
            done = already.get(channel.pk, 0)
            left = max(channel.state.max_papers - done, 0)
            capped = replace(channel, state=replace(channel.state, max_papers=left))
            since = self._builder.since(channel.state, today, latest)
            due.append(DueChannel(capped, today, found, since, done))
        if not due:
            return []
        earliest = min(d.since for d in due)
        async with self._builder.cache_lock:
            with timing("load candidates"):
                await self._builder.load_candidates(earliest)
            with timing("match"):
                matched = [self._builder.matches(d.topics, d.since) for d in due]
        with timing("read"):
            delivered = await self._batches.delivered([d.channel.pk for d in due], earliest)
        with timing("rank"):
            return [
                Picked(
                    d,
                    *self._builder.choose(
                        d.channel.state,
                        m,
                        delivered.get(d.channel.pk, set()),
                        self._builder.reachable_after(d.since, d.today, latest),
                    ),
                )
                for d, m in zip(due, matched, strict=True)
            ]
