"""The engine: every command from every platform goes through `handle` and comes back a reply."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import assert_never
from zoneinfo import ZoneInfo

from bot import metrics
from bot.domain.channel import Actor, ChannelRef, ChannelState, user_key
from bot.domain.clock import Clock
from bot.domain.commands import (
    COMMAND_HELP,
    MANAGING_COMMANDS,
    TOPIC_SYNTAX_HELP,
    Ask,
    Command,
    Explain,
    ListTopics,
    MarkNotRelevant,
    Pause,
    PostDigest,
    PostMore,
    Preview,
    Resume,
    SetMaxPapers,
    SetSchedule,
    ShowHelp,
    ShowSettings,
    Subscribe,
    Unsubscribe,
)
from bot.domain.ids import InvalidArxivId, parse_arxiv_id
from bot.domain.replies import (
    Answer,
    ChannelSettings,
    Help,
    Notice,
    PaperCard,
    Reply,
    Tone,
    TopicList,
)
from bot.domain.schedule import ScheduleError, next_occurrence, parse_schedule
from bot.domain.topic_lexer import quote
from bot.domain.topics import TopicSyntaxError, as_stored, parse_topic, same_topic
from bot.infra.storage.repository import Repository, TopicAdded
from bot.services.catalog import PaperCatalog
from bot.services.delivery import DigestDelivery, NotDelivered
from bot.services.digests import DigestBuilder
from bot.services.lookup_limits import LookupLimits
from bot.services.paper_lookup import PaperLookup
from bot.services.ports import Explainer, Publisher, SourceUnavailable

log = logging.getLogger(__name__)

MAX_TOPICS_PER_CHANNEL = 50
MAX_PAPERS_LIMIT = 50
ScheduleListener = Callable[[ChannelState], Awaitable[None]]


class Engine:
    """Platform-neutral command handling: adapters translate, the engine decides."""

    def __init__(
        self,
        repository: Repository,
        catalog: PaperCatalog,
        builder: DigestBuilder,
        delivery: DigestDelivery,
        explainer: Explainer,
        clock: Clock,
        lookups: LookupLimits | None = None,
    ):
        self.repository = repository
        self.catalog = catalog
        self.builder = builder
        self.delivery = delivery
        self.explainer = explainer
        self.clock = clock
        # The paper a command names; arXiv look-ups limited per person and channel.
        self.papers = PaperLookup(catalog, lookups or LookupLimits(), clock)
        self._publishers: dict[str, Publisher] = {}
        self._schedule_listeners: list[ScheduleListener] = []

    def register_publisher(self, publisher: Publisher) -> None:
        """An adapter announces how to post on its platform."""
        self._publishers[publisher.platform] = publisher

    def publisher_for(self, platform: str) -> Publisher | None:
        """The publisher of a platform, if its adapter is running."""
        return self._publishers.get(platform)

    def on_schedule_change(self, listener: ScheduleListener) -> None:
        """The scheduler listens here to rebuild a channel's job."""
        self._schedule_listeners.append(listener)

    async def handle(self, channel: ChannelRef, actor: Actor, command: Command) -> Reply | None:
        """Run one command; None means the answer was already posted (a digest).

        Whatever goes wrong, the channel gets a friendly line and the operator a log entry.
        """
        try:
            return await self._handle(channel, actor, command)
        except SourceUnavailable as error:
            log.warning("%s in %s: %s", type(command).__name__, channel.key, error)
            return Notice(f"{error} Try again in a few minutes.", Tone.WARNING)
        except Exception:
            incident = uuid.uuid4().hex[:8]
            metrics.count_error(metrics.ERROR_COMMAND)
            log.exception("%s in %s failed (incident %s)", type(command).__name__, channel.key, incident)
            return Notice(
                f"Something went wrong on my side (incident {incident}); it is logged for the operator.",
                Tone.ERROR,
            )

    async def _handle(self, channel: ChannelRef, actor: Actor, command: Command) -> Reply | None:
        if isinstance(command, MANAGING_COMMANDS) and not actor.can_manage:
            why = actor.why_not or "You don't have permission to change this channel's subscriptions."
            return Notice(why, Tone.ERROR)
        state = await self.repository.ensure_channel(channel)
        match command:
            case ShowHelp(lead=lead):
                return Help(COMMAND_HELP, lead=lead)
            case Subscribe(topic=text):
                return await self._subscribe(channel, actor, text)
            case Unsubscribe(topic_or_number=which):
                return await self._unsubscribe(channel, which)
            case ListTopics():
                return await self._topics(channel)
            case PostDigest():
                return await self._post_digest(channel)
            case PostMore():
                return await self._post_digest(channel, more=True)
            case Preview():
                return replace((await self.builder.build(state, explain=False)).digest, is_preview=True)
            case Explain(paper=text):
                return await self._explain(channel, actor, text)
            case Ask(paper=text, question=question):
                return await self._ask(channel, actor, text, question)
            case SetSchedule(args=args):
                return await self._schedule(state, args)
            case Pause():
                return await self._set_paused(state, True)
            case Resume():
                return await self._set_paused(state, False)
            case ShowSettings():
                return await self._settings(state)
            case SetMaxPapers(value=value):
                return await self._set_max_papers(state, value)
            case MarkNotRelevant(paper=text):
                return await self._not_relevant(channel, actor, text)
            case _:
                assert_never(command)

    async def _subscribe(self, channel: ChannelRef, actor: Actor, text: str) -> Reply:
        try:
            topic = parse_topic(text)
        except TopicSyntaxError as error:
            return Notice(f"{error}\n{TOPIC_SYNTAX_HELP}", Tone.ERROR)
        existing = await self.repository.topics(channel)
        same = same_topic([e.topic for e in existing], topic.key)
        if same is not None:
            also = "" if same == topic.text else f", which selects the same papers as `{topic.text}`"
            return Notice(f"This channel already follows `{same}`{also}.", Tone.INFO)
        # The cap is enforced by the database, so simultaneous subscribes cannot pass it.
        added = await self.repository.add_topic(
            channel, topic.text, actor.display_name or actor.user_id, cap=MAX_TOPICS_PER_CHANNEL
        )
        if added is TopicAdded.ALREADY:
            return Notice(f"This channel already follows `{topic.text}`.", Tone.INFO)
        if added is TopicAdded.FULL:
            return Notice(
                f"This channel already follows {MAX_TOPICS_PER_CHANNEL} topics, the most it can. "
                "Remove one with `unsubscribe <number>` first.",
                Tone.ERROR,
            )
        await self._schedule_changed(await self.repository.ensure_channel(channel))
        count = len(await self.repository.topics(channel))
        repeats = [f"`{r}`" for r in dict.fromkeys(topic.repeats)]
        once = f" ({', '.join(repeats)} {'was' if len(repeats) == 1 else 'were'} dropped as a repeat)"
        once = once if repeats else ""
        return Notice(
            f"Subscribed to `{topic.text}`{once}. This channel now follows {count} "
            f"topic{'s' if count != 1 else ''}; `preview` shows what the next digest would hold.",
            Tone.SUCCESS,
        )

    async def _unsubscribe(self, channel: ChannelRef, which: str) -> Reply:
        entries = await self.repository.topics(channel)
        if not entries:
            return Notice("This channel follows no topics.", Tone.INFO)
        text, stored = which.strip(), [e.topic for e in entries]
        if text.isascii() and text.isdigit():  # not `²`, which isdigit() too
            target = next((e.topic for e in entries if e.number == int(text)), None)
            if target is None:
                return Notice(
                    f"There is no topic number {int(text)}; `topics` lists 1 to {len(entries)}.",
                    Tone.ERROR,
                )
        else:  # as written or however else it selects the same papers
            target = as_stored(stored, text) or (text if text in stored else None)
        if target is None or not await self.repository.remove_topic(channel, target):
            listing = ", ".join(f"{e.number}. `{e.topic}`" for e in entries)
            return Notice(
                f"This channel doesn't follow {quote(text, width=80)}. It follows: {listing}", Tone.ERROR
            )
        return Notice(f"Unsubscribed from `{target}`.", Tone.SUCCESS)

    async def _topics(self, channel: ChannelRef) -> Reply:
        entries = await self.repository.topics(channel)
        if not entries:
            return Notice("This channel follows no topics yet. Try `subscribe convergence`.", Tone.INFO)
        return TopicList(tuple(entries))

    async def _post_digest(self, channel: ChannelRef, *, more: bool = False) -> Reply | None:
        publisher = self.publisher_for(channel.platform)
        if publisher is None:
            return Notice(f"I can't post to {channel.platform} right now.", Tone.ERROR)
        try:
            await self.delivery.deliver(channel, publisher, more=more)
        except NotDelivered as error:
            note = " Daily digests here are paused; type `resume` once that is fixed." if error.paused else ""
            return Notice(f"The digest could not be posted: {error}{note}", Tone.ERROR)
        return None

    async def _explain(self, channel: ChannelRef, actor: Actor, text: str) -> Reply:
        found = await self.papers.find(channel, actor, text)
        if isinstance(found, Notice):
            return found
        explanation = await self.explainer.explain(found, channel=channel, user=user_key(channel, actor))
        return PaperCard(found, explanation)

    async def _ask(self, channel: ChannelRef, actor: Actor, text: str, question: str) -> Reply:
        found = await self.papers.find(channel, actor, text)
        if isinstance(found, Notice):
            return found
        person = user_key(channel, actor)
        return Answer(
            found, question, await self.explainer.answer(found, question, channel=channel, user=person)
        )

    async def _schedule(self, state: ChannelState, args: str) -> Reply:
        if not args.strip():
            return Notice(
                f"Digests arrive at {state.schedule.describe()}. "
                "Change it with e.g. `schedule 09:00 Europe/Berlin weekdays`.",
                Tone.INFO,
            )
        try:
            schedule = parse_schedule(args, state.schedule)
        except ScheduleError as error:
            return Notice(str(error), Tone.ERROR)
        updated = await self.repository.update_channel(state.ref, schedule=schedule)
        await self._schedule_changed(updated)
        upcoming = next_occurrence(schedule, self.clock.now())
        return Notice(
            f"Digests will arrive at {schedule.describe()}. Next one: {_local(upcoming, schedule.timezone)}.",
            Tone.SUCCESS,
        )

    async def _set_paused(self, state: ChannelState, paused: bool) -> Reply:
        if state.paused == paused:
            return Notice(f"Digests are already {'paused' if paused else 'running'} here.", Tone.INFO)
        updated = await self.repository.update_channel(state.ref, paused=paused)
        await self._schedule_changed(updated)
        if paused:
            return Notice("Paused: no scheduled digests until `resume`. `digest` still works.", Tone.SUCCESS)
        return Notice(f"Resumed: digests arrive at {updated.schedule.describe()}.", Tone.SUCCESS)

    async def _settings(self, state: ChannelState) -> Reply:
        entries = await self.repository.topics(state.ref)
        upcoming = None if state.paused else next_occurrence(state.schedule, self.clock.now())
        return ChannelSettings(
            channel_label=state.ref.label,
            schedule=state.schedule,
            max_papers=state.max_papers,
            paused=state.paused,
            topic_count=len(entries),
            last_digest=state.last_digest_at,
            next_digest=upcoming,
        )

    async def _set_max_papers(self, state: ChannelState, value: str) -> Reply:
        if not re.fullmatch(r"[0-9]{1,4}", value) or not 1 <= int(value) <= MAX_PAPERS_LIMIT:
            return Notice(
                f"`{value[:20]}` is not a number of papers from 1 to {MAX_PAPERS_LIMIT}; "
                "for example `settings max 15`.",
                Tone.ERROR,
            )
        await self.repository.update_channel(state.ref, max_papers=int(value))
        return Notice(f"Digests here now hold up to {int(value)} papers.", Tone.SUCCESS)

    async def _not_relevant(self, channel: ChannelRef, actor: Actor, text: str) -> Reply:
        try:
            arxiv_id = parse_arxiv_id(text)
        except InvalidArxivId as error:
            return Notice(str(error), Tone.ERROR)
        await self.repository.record_feedback(channel, arxiv_id.base, actor.user_id, "not_relevant")
        return Notice(f"Noted: {arxiv_id.base} is marked not relevant for this channel.", Tone.INFO)

    async def _schedule_changed(self, state: ChannelState) -> None:
        for listener in self._schedule_listeners:
            await listener(state)


def _local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M %Z")
