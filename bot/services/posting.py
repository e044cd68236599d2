"""Posting a claimed digest and settling claims: the exactly-once rules, written once.

Exactly once per (channel, paper): a claim ("pending" delivery) is written before each post and
confirmed after it. A run killed between the two leaves a pending claim; `reconcile` asks the
platform whether that post exists and either confirms it or gives the paper back.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from bot import metrics
from bot.domain.channel import ChannelRef
from bot.domain.digest import Digest, DigestItem
from bot.ports import ChannelUnavailable, Publisher, Storage
from bot.services.publishers import Publishers

log = logging.getLogger(__name__)

Confirm = Callable[[str, str], Awaitable[None]]


class NotDelivered(Exception):
    """The platform refused a post; the papers not posted stay due for the next run."""

    def __init__(self, message: str, *, paused: bool = False):
        super().__init__(message)
        self.paused = paused  # the platform refuses the channel itself, so its digests are paused


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """What reconciliation found of interrupted runs."""

    confirmed: int
    released: int


class ClaimedPosts:
    """Posts claimed digests and settles the claims that runs left behind."""

    def __init__(self, repository: Storage, publishers: Publishers) -> None:
        self._repository = repository
        self._publishers = publishers
        # Runs in flight, whose claims `reconcile` must leave alone until they have confirmed.
        self._active_runs: Counter[str] = Counter()

    @contextmanager
    def running(self, run_ids: Iterable[str]) -> Iterator[None]:
        """Mark runs as live from their claims until their confirmations are written."""
        held = list(run_ids)
        self._active_runs.update(held)
        try:
            yield
        finally:
            self._active_runs.subtract(held)
            for run_id in held:
                if self._active_runs[run_id] <= 0:
                    del self._active_runs[run_id]

    async def post(
        self, ref: ChannelRef, publisher: Publisher, digest: Digest, run_id: str, confirm: Confirm
    ) -> int:
        """Post a digest whose papers `run_id` has claimed; `confirm(arxiv_id, message)` each post.

        On failure the claims not posted are given back and NotDelivered is raised; a channel the
        platform refuses outright is paused.
        """
        pending = [item.paper.arxiv_id for item in digest.items]
        current: DigestItem | None = None
        try:
            parent = await publisher.post_digest_header(ref, digest)
            for current in digest.items:
                message = await publisher.post_digest_item(ref, digest, current, parent)
                await confirm(current.paper.arxiv_id, message)
                pending.remove(current.paper.arxiv_id)
        except Exception as error:
            if current is not None and current.paper.arxiv_id in pending:
                # The failed post may have gone out all the same (a timeout after sending).
                pending.remove(current.paper.arxiv_id)
                await self._settle(publisher, ref, current.paper.arxiv_id, run_id)
            await self._repository.release_intent(ref, pending)
            posted = len(digest.items) - len(pending)
            metrics.count_error(metrics.ERROR_PLATFORM)
            metrics.count_delivery(publisher.platform, posted)
            if isinstance(error, ChannelUnavailable):
                await self._repository.update_channel(ref, paused=True)
                log.warning("paused %s: the platform refuses posts there (%s)", ref.key, error)
            log.warning("digest run %s for %s stopped after %d posts: %s", run_id, ref.key, posted, error)
            raise NotDelivered(str(error), paused=isinstance(error, ChannelUnavailable)) from error
        return len(digest.items)

    async def reconcile(self, channels: Sequence[ChannelRef] | None = None) -> ReconcileReport:
        """Settle claims left by runs that died mid-post (of these channels, or of all).

        Confirms what the platform shows was posted and frees the rest; claims of live runs and of
        platforms not running here are left alone.
        """
        keys = None if channels is None else {ref.key for ref in channels}
        confirmed = released = 0
        for claim in await self._repository.pending_deliveries():
            publisher = self._publishers.get(claim.channel.platform)
            if publisher is None or claim.run_id in self._active_runs:
                continue
            if keys is not None and claim.channel.key not in keys:
                continue
            outcome = await self._settle(publisher, claim.channel, claim.arxiv_id, claim.run_id)
            confirmed += outcome == "confirmed"
            released += outcome == "released"
        if confirmed or released:
            log.info(
                "reconciled interrupted runs: %d posts confirmed, %d papers due again", confirmed, released
            )
        return ReconcileReport(confirmed, released)

    async def _settle(self, publisher: Publisher, ref: ChannelRef, arxiv_id: str, run_id: str) -> str:
        """Confirm a claim whose post exists, release one whose post does not, keep it if unsure."""
        try:
            found = await publisher.find_post(ref, arxiv_id, run_id)
        except Exception as error:
            log.warning("could not tell whether %s got %s; asking again later: %s", ref.key, arxiv_id, error)
            return "kept"
        if found:
            await self._repository.confirm_delivery(ref, arxiv_id, found)
            return "confirmed"
        await self._repository.release_intent(ref, [arxiv_id])
        return "released"


def only_claimed(digest: Digest, claimed: set[str]) -> Digest:
    """The digest without papers another run claimed first, renumbered."""
    if len(claimed) >= len(digest.items):
        return digest
    kept = [i for i in digest.items if i.paper.arxiv_id in claimed]
    return replace(digest, items=tuple(replace(i, position=n) for n, i in enumerate(kept, 1)))
