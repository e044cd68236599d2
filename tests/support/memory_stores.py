"""In-memory implementations of the storage ports, for fast service tests with no database.

Plain dicts with the same rules as the SQL stores: one claim per (channel, paper) ever, the topic
cap, one verdict per person, a newer paper version replacing an older one. The contract test
(tests/unit/services/test_store_contract.py) runs the same checks on these and on SQLite, so the
stand-ins cannot drift from the real thing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.domain.channel import ChannelRef, ChannelState
from bot.domain.clock import Clock
from bot.domain.paper import Paper
from bot.domain.quality import Quality
from bot.domain.replies import TopicEntry
from bot.domain.schedule import Schedule, next_occurrence, previous_occurrence
from bot.ports import (
    DueDigest,
    ExplanationKey,
    ListingFetch,
    MuteAdded,
    PendingClaim,
    StoredExplanation,
    TopicAdded,
    UsageLine,
    UserUsageLine,
)

ChannelKey = tuple[str, str, str]


def _key(ref: ChannelRef) -> ChannelKey:
    return (ref.platform, ref.workspace, ref.channel_id)


@dataclass
class _Delivery:
    arxiv_id: str
    version: int
    run_id: str
    created_at: datetime
    status: str = "pending"
    posted_at: datetime | None = None
    message_ref: str = ""


@dataclass
class _Subscription:
    topic: str
    added_by: str
    added_at: datetime


class MemoryStorage:
    """Channels, subscriptions, papers, listing fetches and deliveries, in dicts."""

    def __init__(self, clock: Clock, default_schedule: Schedule, default_max_papers: int = 10) -> None:
        self._clock = clock
        self._default_schedule = default_schedule
        self._default_max_papers = default_max_papers
        self._channels: dict[ChannelKey, ChannelState] = {}  # insertion order is key order
        self._topics: dict[ChannelKey, list[_Subscription]] = {}
        self._papers: dict[str, tuple[Paper, datetime]] = {}
        self._listings: list[ListingFetch] = []
        self._deliveries: dict[ChannelKey, dict[str, _Delivery]] = {}

    # Channels

    async def ensure_channel(self, ref: ChannelRef) -> ChannelState:
        """The channel's state, creating it with the defaults the first time it speaks."""
        key = _key(ref)
        state = self._channels.get(key)
        if state is None:
            state = ChannelState(
                ref=ref,
                schedule=self._default_schedule,
                max_papers=self._default_max_papers,
                paused=False,
                last_digest_at=None,
                covered_through=None,
                created_at=self._clock.now(),
            )
        elif ref.name and state.ref.name != ref.name:
            state = replace(state, ref=replace(state.ref, name=ref.name))
        self._channels[key] = state
        return state

    async def get_channel(self, ref: ChannelRef) -> ChannelState | None:
        """The channel's state, or None if it never spoke to us."""
        return self._channels.get(_key(ref))

    async def all_channels(self) -> list[ChannelState]:
        """Every known channel, in the order they first spoke."""
        return list(self._channels.values())

    async def update_channel(
        self,
        ref: ChannelRef,
        *,
        schedule: Schedule | None = None,
        paused: bool | None = None,
        max_papers: int | None = None,
        quality: Quality | None = None,
    ) -> ChannelState:
        """Change a channel's schedule, pause flag, cap or quality."""
        state = await self._require(ref)
        if quality is not None:
            state = replace(state, quality=quality)
        if schedule is not None:
            state = replace(state, schedule=schedule)
        if paused is not None:
            state = replace(state, paused=paused)
        if max_papers is not None:
            state = replace(state, max_papers=max_papers)
        self._channels[_key(ref)] = state
        return state

    async def mark_digest_done(self, ref: ChannelRef, at: datetime, covered_through: date | None) -> None:
        """Remember when the channel last got a digest and through which announcement day (never back)."""
        state = await self._require(ref)
        covered = state.covered_through
        if covered_through is not None:
            covered = max(covered_through, covered or covered_through)
        self._channels[_key(ref)] = replace(state, last_digest_at=at, covered_through=covered)

    async def _require(self, ref: ChannelRef) -> ChannelState:
        return self._channels.get(_key(ref)) or await self.ensure_channel(ref)

    # Subscriptions

    async def topics(self, ref: ChannelRef) -> list[TopicEntry]:
        """The channel's topics in the order they were added, numbered from 1."""
        subs = self._topics.get(_key(ref), [])
        return [TopicEntry(n, s.topic, s.added_by, s.added_at) for n, s in enumerate(subs, start=1)]

    async def distinct_topics(self) -> list[str]:
        """Every topic some channel follows, once each."""
        return list(dict.fromkeys(s.topic for subs in self._topics.values() for s in subs))

    async def add_topic(
        self, ref: ChannelRef, topic: str, added_by: str, *, cap: int | None = None
    ) -> TopicAdded:
        """Subscribe, unless the channel follows this topic already or `cap` topics."""
        await self._require(ref)
        subs = self._topics.setdefault(_key(ref), [])
        if any(s.topic == topic for s in subs):
            return TopicAdded.ALREADY
        if cap is not None and len(subs) >= cap:
            return TopicAdded.FULL
        subs.append(_Subscription(topic, added_by, self._clock.now()))
        return TopicAdded.ADDED

    async def remove_topic(self, ref: ChannelRef, topic: str) -> bool:
        """Unsubscribe; False when the channel did not follow it."""
        subs = self._topics.get(_key(ref), [])
        kept = [s for s in subs if s.topic != topic]
        self._topics[_key(ref)] = kept
        return len(kept) != len(subs)

    # Papers

    async def save_papers(self, papers: Iterable[Paper]) -> int:
        """Insert or refresh papers: a newer version replaces an older one, and the listing's own
        description never replaces the API's metadata of the same version."""
        now, count = self._clock.now(), 0
        for paper in papers:
            count += 1
            held = self._papers.get(paper.arxiv_id)
            if held is not None:
                old = held[0]
                if old.version > paper.version or (
                    old.version == paper.version and old.complete and not paper.complete
                ):
                    continue
                paper = replace(paper, announced=old.announced or paper.announced)
            self._papers[paper.arxiv_id] = (paper, now)
        return count

    async def stamp_announced(self, ids: Sequence[str], day: date | None) -> None:
        """Mark listed papers as announced on `day` where they carry no announcement day yet."""
        for arxiv_id in ids:
            held = self._papers.get(arxiv_id)
            if day is not None and held is not None and held[0].announced is None:
                self._papers[arxiv_id] = (replace(held[0], announced=day), held[1])

    async def papers(self, ids: Sequence[str]) -> dict[str, Paper]:
        """Stored papers by id."""
        return {i: self._papers[i][0] for i in ids if i in self._papers}

    async def paper_fetched_since(self, arxiv_id: str, since: datetime) -> Paper | None:
        """A stored paper if we fetched it recently enough to trust it."""
        held = self._papers.get(arxiv_id)
        return held[0] if held is not None and held[1] >= since else None

    async def papers_announced_after(self, day: date) -> list[Paper]:
        """Papers announced after `day`, newest first."""
        found = [p for p, _ in self._papers.values() if p.announced is not None and p.announced > day]
        return sorted(found, key=lambda p: (p.announced, p.arxiv_id), reverse=True)

    async def latest_announced_day(self) -> date | None:
        """The newest announcement day we hold papers for."""
        return max((p.announced for p, _ in self._papers.values() if p.announced), default=None)

    async def catalog_stamp(self) -> tuple[int, datetime | None]:
        """Changes whenever papers are added or refreshed."""
        return len(self._papers), max((at for _, at in self._papers.values()), default=None)

    # Listing fetches

    async def record_listing(
        self,
        categories: str,
        day: date | None,
        count: int,
        skipped: bool,
        *,
        earliest_day: date | None = None,
    ) -> None:
        """Remember a fetch of the daily listing."""
        fetch = ListingFetch(categories, day, self._clock.now(), count, skipped, earliest_day or day)
        self._listings.append(fetch)

    async def last_listing(self) -> ListingFetch | None:
        """The most recent fetch of the daily listing."""
        return self._listings[-1] if self._listings else None

    # Deliveries

    async def delivered_ids(self, ref: ChannelRef, ids: Iterable[str]) -> set[str]:
        """Which of these papers the channel already has (or is being sent)."""
        held = self._deliveries.get(_key(ref), {})
        return {i for i in ids if i in held}

    async def record_intent(self, ref: ChannelRef, papers: Sequence[Paper], run_id: str) -> list[str]:
        """Claim papers before posting; a paper the channel has, or another run holds, is skipped."""
        await self._require(ref)
        held = self._deliveries.setdefault(_key(ref), {})
        claimed = []
        for paper in papers:
            if paper.arxiv_id not in held:
                held[paper.arxiv_id] = _Delivery(paper.arxiv_id, paper.version, run_id, self._clock.now())
                claimed.append(paper.arxiv_id)
        return claimed

    async def confirm_delivery(self, ref: ChannelRef, arxiv_id: str, message_ref: str) -> None:
        """The platform accepted the post: the paper is delivered."""
        delivery = self._deliveries.get(_key(ref), {}).get(arxiv_id)
        if delivery is not None:
            delivery.status, delivery.posted_at = "posted", self._clock.now()
            delivery.message_ref = message_ref

    async def release_intent(self, ref: ChannelRef, arxiv_ids: Sequence[str]) -> None:
        """Give back claims whose post failed; a confirmed post is never given back."""
        held = self._deliveries.get(_key(ref), {})
        for arxiv_id in arxiv_ids:
            if arxiv_id in held and held[arxiv_id].status == "pending":
                del held[arxiv_id]

    async def pending_deliveries(self, ref: ChannelRef | None = None) -> list[PendingClaim]:
        """Claims not yet confirmed (in one channel, or everywhere), oldest first."""
        found = [
            (d.created_at, PendingClaim(self._channels[key].ref, d.arxiv_id, d.run_id))
            for key, held in self._deliveries.items()
            if ref is None or key == _key(ref)
            for d in held.values()
            if d.status == "pending"
        ]
        return [claim for _, claim in sorted(found, key=lambda pair: pair[0])]

    async def delivered_since(self, ref: ChannelRef, since: datetime | None) -> int:
        """Papers posted (or still claimed) in the channel after `since` (ever, when None)."""
        held = self._deliveries.get(_key(ref), {}).values()
        if since is None:
            return len(held)
        return sum(
            1
            for d in held
            if (d.status == "posted" and d.posted_at is not None and d.posted_at > since)
            or (d.status == "pending" and d.created_at > since)
        )

    async def paper_for_message(self, ref: ChannelRef, message_ref: str) -> str | None:
        """The paper a posted digest item is, by the platform's message id."""
        if not message_ref:
            return None
        held = self._deliveries.get(_key(ref), {}).values()
        return next((d.arxiv_id for d in held if d.message_ref == message_ref), None)

    async def posted_count(self, ref: ChannelRef) -> int:
        """How many papers the channel has received."""
        return sum(1 for d in self._deliveries.get(_key(ref), {}).values() if d.status == "posted")


class MemoryListedPapers:
    """Listed ids and refused categories; `unseen` and `incomplete` look at the storage's papers."""

    def __init__(self, storage: MemoryStorage) -> None:
        self._storage = storage
        self._listed: dict[str, date] = {}  # id -> first day listed
        self._refused: dict[str, tuple[str, datetime]] = {}

    async def record_listed(self, listed: Mapping[date, Sequence[str]]) -> None:
        """Remember which ids each day's listing named."""
        for day, ids in sorted(listed.items()):
            for arxiv_id in ids:
                self._listed.setdefault(arxiv_id, day)

    async def unseen(self, since: date) -> dict[str, date]:
        """Ids listed on or after `since` that the bot holds no paper for, with their first day."""
        held = await self._storage.papers(list(self._listed))
        return {i: d for i, d in self._listed.items() if d >= since and i not in held}

    async def is_listed(self, arxiv_id: str, since: date) -> bool:
        """Whether a listing of `since` or later named this id."""
        return arxiv_id in self._listed and self._listed[arxiv_id] >= since

    async def incomplete(self, since: date, limit: int) -> list[str]:
        """Papers announced on or after `since` that only the listing has described so far."""
        papers = await self._storage.papers_announced_after(since - timedelta(days=1))
        return [p.arxiv_id for p in papers if not p.complete][:limit]

    async def refused(self, since: datetime) -> dict[str, str]:
        """Categories arXiv refused since then, with what it said."""
        return {c: reason for c, (reason, at) in self._refused.items() if at >= since}

    async def remember_refused(self, refused: Mapping[str, str], at: datetime) -> None:
        """Note (again) that arXiv refuses these categories."""
        self._refused.update((c, (reason, at)) for c, reason in refused.items())


class MemoryMisses:
    """Ids arXiv had no paper for, remembered for `keep`; a `keep` of zero remembers nothing."""

    def __init__(self, keep: timedelta = timedelta(hours=1)) -> None:
        self.keep = keep
        self._missed: dict[str, datetime] = {}

    @property
    def enabled(self) -> bool:
        """Whether misses are remembered at all."""
        return self.keep > timedelta(0)

    async def remember(self, ids: Sequence[str], at: datetime) -> None:
        """arXiv had no paper for these ids at `at`; older misses are forgotten."""
        if not self.enabled:
            return
        self._missed = {i: when for i, when in self._missed.items() if when >= at - self.keep}
        self._missed.update(dict.fromkeys(ids, at))

    async def remembered(self, ids: Sequence[str], now: datetime) -> dict[str, datetime]:
        """The ids among these arXiv had no paper for within `keep` of `now`, with when."""
        if not self.enabled:
            return {}
        return {i: self._missed[i] for i in ids if i in self._missed and self._missed[i] >= now - self.keep}


class MemoryExplanations:
    """The explanation cache and each channel's daily use; the first copy saved wins."""

    def __init__(self) -> None:
        self._cache: dict[ExplanationKey, StoredExplanation] = {}
        self._usage: dict[tuple[str, date], UsageLine] = {}

    async def explanation(self, key: ExplanationKey) -> StoredExplanation | None:
        """The cached explanation for this key, if any."""
        return self._cache.get(key)

    async def explanations(self, keys: list[ExplanationKey]) -> dict[ExplanationKey, StoredExplanation]:
        """The cached explanations among these keys."""
        return {key: self._cache[key] for key in keys if key in self._cache}

    async def save_explanation(
        self,
        key: ExplanationKey,
        text: str,
        source: str,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float,
    ) -> None:
        """Cache an explanation; a copy saved before wins quietly."""
        self._cache.setdefault(key, StoredExplanation(text, source[:200], key.model))

    async def record_usage(
        self, channel_key: str, day: date, *, prompt_tokens: int, completion_tokens: int, cost: float
    ) -> None:
        """Add one call to the channel's tally for the day."""
        line = self._usage.get((channel_key, day)) or UsageLine(channel_key, day, 0, 0, 0, 0.0)
        self._usage[(channel_key, day)] = UsageLine(
            channel_key,
            day,
            line.calls + 1,
            line.prompt_tokens + prompt_tokens,
            line.completion_tokens + completion_tokens,
            line.cost + cost,
        )

    async def tokens_used(self, day: date, channel_key: str | None = None) -> int:
        """Tokens spent on `day` by one channel, or by all of them."""
        return sum(
            line.tokens
            for (key, when), line in self._usage.items()
            if when == day and channel_key in (None, key)
        )

    async def usage(self, since: date | None = None) -> list[UsageLine]:
        """Every channel's use per day (newest day first), from `since` on."""
        lines = [line for line in self._usage.values() if since is None or line.day >= since]
        return sorted(
            sorted(lines, key=lambda line: line.channel_key), key=lambda line: line.day, reverse=True
        )


class MemoryPersonUsage:
    """Each person's daily use and holds; a hold goes in only while spent and held leave room."""

    def __init__(self) -> None:
        self._lines: dict[tuple[str, date], UserUsageLine] = {}

    def _line(self, user_key: str, day: date) -> UserUsageLine:
        return self._lines.get((user_key, day)) or UserUsageLine(user_key, day, 0, 0, 0, 0.0, 0)

    async def hold(self, user_key: str, day: date, tokens: int, limit: int) -> bool:
        """Hold `tokens` unless spent, held and these would pass `limit` (0: no limit)."""
        line = self._line(user_key, day)
        if limit and line.tokens + line.held_tokens + tokens > limit:
            return False
        self._lines[(user_key, day)] = replace(line, held_tokens=line.held_tokens + tokens)
        return True

    async def settle(
        self,
        user_key: str,
        day: date,
        held: int,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float,
    ) -> None:
        """Replace a call's hold by what it spent."""
        line = self._line(user_key, day)
        self._lines[(user_key, day)] = replace(
            line,
            calls=line.calls + 1,
            prompt_tokens=line.prompt_tokens + prompt_tokens,
            completion_tokens=line.completion_tokens + completion_tokens,
            cost=line.cost + cost,
            held_tokens=max(0, line.held_tokens - held),
        )

    async def release(self, user_key: str, day: date, held: int) -> None:
        """Drop a hold whose call was not made or failed."""
        if (user_key, day) in self._lines:
            line = self._lines[(user_key, day)]
            self._lines[(user_key, day)] = replace(line, held_tokens=max(0, line.held_tokens - held))

    async def usage(self, since: date | None = None, user_key: str | None = None) -> list[UserUsageLine]:
        """Each person's use per day (newest day first, then the most tokens)."""
        lines = [
            line
            for line in self._lines.values()
            if (since is None or line.day >= since) and user_key in (None, line.user_key)
        ]
        return sorted(lines, key=lambda line: (-line.day.toordinal(), -line.tokens, line.user_key))


class MemoryDigestTimes:
    """Each channel's next digest time, read by the tick; a new channel's missed digest is due at once."""

    def __init__(self, storage: MemoryStorage) -> None:
        self._storage = storage
        self._next: dict[ChannelKey, datetime | None] = {}
        self._told_late: dict[ChannelKey, datetime] = {}

    async def due(self, now: datetime, platforms: Collection[str]) -> list[DueDigest]:
        """Unpaused channels of these platforms whose digest time has come, the earliest first."""
        found = []
        for state in await self._storage.all_channels():
            key = _key(state.ref)
            if state.paused or state.ref.platform not in platforms:
                continue
            if key not in self._next:
                self._next[key] = _first_due(state, now) if state.schedule.weekdays else None
            at = self._next[key]
            if at is not None and at <= now:
                late = self._told_late.get(key)
                found.append(DueDigest(state.ref, at, late is not None and late >= at))
        return sorted(found, key=lambda d: d.due_at)

    async def reschedule(self, ref: ChannelRef, at: datetime | None) -> None:
        """Set the channel's next digest time (None: no scheduled digest)."""
        self._next[_key(ref)] = at

    async def advance(self, refs: Sequence[ChannelRef], now: datetime) -> None:
        """After a run: each channel's next digest is its first time after `now`."""
        for ref in refs:
            state = await self._storage.get_channel(ref)
            if state is not None:
                self._next[_key(ref)] = (
                    next_occurrence(state.schedule, now) if state.schedule.weekdays else None
                )

    async def told_late(self, refs: Sequence[ChannelRef], now: datetime) -> None:
        """These channels were told that their due digest is late."""
        self._told_late.update((_key(ref), now) for ref in refs)

    async def next_digest_at(self, ref: ChannelRef) -> datetime | None:
        """When the channel's next scheduled digest is due, if one is."""
        return self._next.get(_key(ref))


def _first_due(channel: ChannelState, now: datetime) -> datetime:
    """The digest a channel missed since its last one (or since it spoke), else its next."""
    since = channel.last_digest_at or channel.created_at
    previous = previous_occurrence(channel.schedule, now)
    return previous if since is not None and since < previous else next_occurrence(channel.schedule, now)


class MemoryMutes:
    """Each channel's muted terms in a list, with the same cap rule as the database's."""

    def __init__(self, storage: MemoryStorage) -> None:
        self._storage = storage
        self._terms: dict[ChannelKey, list[str]] = {}

    async def add(self, ref: ChannelRef, term: str, added_by: str, at: datetime, *, cap: int) -> MuteAdded:
        """Mute a term, unless the channel has already, or has `cap` mutes."""
        terms = self._terms.setdefault(_key(ref), [])
        if term in terms:
            return MuteAdded.ALREADY
        if len(terms) >= cap:
            return MuteAdded.FULL
        terms.append(term)
        return MuteAdded.ADDED

    async def remove(self, ref: ChannelRef, term: str) -> bool:
        """Unmute; False when the channel had not muted it."""
        terms = self._terms.get(_key(ref), [])
        if term not in terms:
            return False
        terms.remove(term)
        return True

    async def of_channel(self, ref: ChannelRef) -> list[str]:
        """The channel's mutes in the order they were added."""
        return list(self._terms.get(_key(ref), []))

    async def of_channels(self, pks: Sequence[int]) -> dict[int, list[str]]:
        """Each channel's mutes by channel number (1 for the first channel that spoke, and so on)."""
        keys = list(self._storage._channels)
        found = {pk: self._terms.get(keys[pk - 1], []) for pk in pks if 0 < pk <= len(keys)}
        return {pk: list(terms) for pk, terms in found.items() if terms}
