"""What a delivery run did, channel by channel, and how long each step took."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bot.domain.channel import ChannelRef
from bot.domain.digest import Digest
from bot.services.catalog import IngestReport
from bot.services.posting import NotDelivered


@dataclass(frozen=True, slots=True)
class ChannelOutcome:
    """One channel's digest: what was posted, or why not."""

    digest: Digest
    posted: int
    error: NotDelivered | None = None
    completed_earlier: int = 0  # papers of this digest a run killed before the restart posted


@dataclass(slots=True)
class RunReport:
    """What one run did."""

    channels: int = 0  # channels looked at
    explained: int = 0  # distinct papers whose explanation the run asked for
    outcomes: dict[str, ChannelOutcome] = field(default_factory=dict)  # by channel key
    failed: list[ChannelRef] = field(default_factory=list)
    without_topics: list[ChannelRef] = field(default_factory=list)  # channels that follow nothing
    ingest: IngestReport | None = None
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # wall time by step

    @property
    def digests(self) -> int:
        """Channels that were posted a digest (a parent message each)."""
        return sum(1 for o in self.outcomes.values() if o.error is None and not o.completed_earlier)

    @property
    def empty(self) -> int:
        """Of those, digests saying nothing new matched."""
        return sum(
            1
            for o in self.outcomes.values()
            if o.error is None and not o.completed_earlier and o.digest.is_empty
        )

    @property
    def papers_posted(self) -> int:
        """Papers posted in every channel together."""
        return sum(o.posted for o in self.outcomes.values())

    @contextmanager
    def timing(self, step: str) -> Iterator[None]:
        """Add the wall time of the block to `step`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] += time.perf_counter() - started
