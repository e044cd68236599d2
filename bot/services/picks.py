"""Each channel's would-be digest papers, for a batch of channels at once.

The digest cycle posts these picks; the prewriter writes their explanations ahead of time. Both
ask here, so the papers written ahead are exactly the papers the digests will choose.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import date

from bot import metrics
from bot.domain.channel import ChannelRef
from bot.domain.topics import Topic, read_stored
from bot.ports import DeliveryBatchStore, StoredChannel
from bot.services.digests import DigestBuilder
from bot.services.learned_choice import Ranked
from bot.services.match_cache import Matched

log = logging.getLogger(__name__)

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
    unreadable: tuple[str, ...] = ()  # stored topics that no longer read: the channel is told


@dataclass(frozen=True, slots=True)
class Picked:
    """A channel's chosen papers, best first, and how many more matched beyond its cap."""

    due: DueChannel
    chosen: list[Ranked]
    more: int


class ChannelPicks:
    """Matches and chooses for a batch of channels with the builder's own steps, in a few queries."""

    def __init__(self, builder: DigestBuilder, batches: DeliveryBatchStore) -> None:
        self._builder = builder
        self._batches = batches

    async def pick(
        self,
        batch: list[StoredChannel],
        parsed: dict[str, Topic | None],
        latest: date | None,
        timing: Timing = untimed,
        failed: list[ChannelRef] | None = None,
        *,
        more: bool = False,
    ) -> list[Picked]:
        """What each channel of the batch would be posted now; channels without topics are left out.

        `parsed` caches topic texts already parsed, so a run over many batches parses each once;
        `latest` is the newest announcement day a channel's coverage may reach (`seen_through`);
        channels whose picks fail are left out, logged, and added to `failed`. `more` picks the next
        papers of recent listings whatever the channel's read mark (the `more` command).
        """
        with timing("read"):
            pks = [c.pk for c in batch]
            topics = await self._batches.topics(pks)
            # Posts an interrupted run made since the last finished digest count against the cap, so
            # the restarted run completes that digest.
            already = await self._batches.since_last_digest(pks)
            mutes = await self._builder.mutes_of(pks)  # a muted term removes papers from every topic
        due: list[DueChannel] = []
        for channel in batch:
            texts = topics.get(channel.pk)
            if not texts:  # a channel that follows nothing gets nothing
                continue
            with self._alone(channel.state.ref, failed):
                due.append(self._due(channel, texts, parsed, already.get(channel.pk, 0), latest, more))
        if not due:
            return []
        earliest = min(d.since for d in due)
        matched: list[tuple[DueChannel, Matched]] = []
        async with self._builder.cache_lock:
            with timing("load candidates"):
                await self._builder.load_candidates(earliest)
            with timing("learn"):
                try:
                    await self._builder.prepare_ranking({d.channel.pk: d.topics for d in due})
                except Exception:  # meaning is an extra: without it the batch ranks by words
                    metrics.count_error(metrics.ERROR_DIGEST)
                    log.exception("ranking by votes and meaning failed for this batch; it ranks by words")
            with timing("match"):
                for d in due:
                    with self._alone(d.channel.state.ref, failed):
                        muted = mutes.get(d.channel.pk, ())
                        matched.append((d, self._builder.matches(d.topics, d.since, muted)))
        with timing("read"):
            delivered = await self._batches.delivered([d.channel.pk for d, _ in matched], earliest)
        picked: list[Picked] = []
        with timing("rank"):
            for d, m in matched:
                with self._alone(d.channel.state.ref, failed):
                    reachable = self._builder.reachable_after(d.since, d.today, latest, d.channel.state)
                    chosen = self._builder.choose(
                        d.channel.state, m, delivered.get(d.channel.pk, set()), reachable, pk=d.channel.pk
                    )
                    picked.append(Picked(d, *chosen))
        return picked

    def _due(
        self,
        channel: StoredChannel,
        texts: list[str],
        parsed: dict[str, Topic | None],
        already: int,
        latest: date | None,
        more: bool = False,
    ) -> DueChannel:
        today = self._builder.today(channel.state)
        for text in texts:
            if text not in parsed:
                readable, _ = read_stored([text])
                parsed[text] = readable[0] if readable else None
        found = [topic for t in texts if (topic := parsed[t]) is not None]
        unreadable = tuple(t for t in texts if parsed[t] is None)
        left = max(channel.state.max_papers - already, 0)
        capped = replace(channel, state=replace(channel.state, max_papers=left))
        since = (
            self._builder.recent(today, latest, channel.state)
            if more
            else self._builder.since(channel.state, today, latest)
        )
        return DueChannel(capped, today, found, since, already, unreadable)

    @contextmanager
    def _alone(self, ref: ChannelRef, failed: list[ChannelRef] | None) -> Iterator[None]:
        """One channel's failure (damaged stored data, say) is logged and costs only its digest."""
        try:
            yield
        except Exception:
            metrics.count_error(metrics.ERROR_DIGEST)
            log.exception("the digest of %s could not be made; the other channels go on", ref.key)
            if failed is not None:
                failed.append(ref)
