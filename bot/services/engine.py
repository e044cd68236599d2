"""The engine: every command from every platform goes through `handle` and comes back an Outcome."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import assert_never

from bot import metrics
from bot.domain.channel import Actor, ChannelRef, user_key
from bot.domain.clock import Clock
from bot.domain.command_specs import COMMANDS, manages_channel
from bot.domain.commands import (
    Ask,
    Command,
    Explain,
    ListTopics,
    MarkNotRelevant,
    Mute,
    MuteChoices,
    NotUnderstood,
    Pause,
    PostDigest,
    PostMore,
    Preview,
    Resume,
    SetMaxPapers,
    SetQuality,
    SetSchedule,
    ShowHelp,
    ShowSchedule,
    ShowSettings,
    Subscribe,
    Unmute,
    Unsubscribe,
    Vote,
)
from bot.domain.replies import (
    Answer,
    ChannelSettings,
    DigestPosted,
    Help,
    Notice,
    Outcome,
    PaperCard,
    Reply,
    Tone,
    audience_for,
)
from bot.domain.topics import read_stored
from bot.ports import DigestTimetable, Explainer, Mutes, Publisher, SourceUnavailable, Storage, VoteStore
from bot.services.catalog import PaperCatalog
from bot.services.channel_commands import ChannelCommands
from bot.services.delivery import DigestDelivery
from bot.services.digests import DigestBuilder
from bot.services.lookup_limits import LookupLimits
from bot.services.mute_commands import MuteCommands
from bot.services.paper_lookup import PaperLookup
from bot.services.publishers import Publishers
from bot.services.votes import VoteCommands

log = logging.getLogger(__name__)


class Engine:
    """Platform-neutral command handling: adapters translate, the engine decides."""

    def __init__(
        self,
        repository: Storage,
        catalog: PaperCatalog,
        builder: DigestBuilder,
        delivery: DigestDelivery,
        explainer: Explainer,
        clock: Clock,
        publishers: Publishers,
        times: DigestTimetable,
        votes: VoteStore,
        mutes: Mutes,
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
        self.publishers = publishers
        self.channels = ChannelCommands(repository, clock, times, self.papers, mutes)
        self.votes = VoteCommands(votes, clock)
        self.mutes = MuteCommands(mutes, clock)

    def register_publisher(self, publisher: Publisher) -> None:
        """An adapter announces how to post on its platform: digests reach it from then on."""
        self.publishers.register(publisher)

    async def handle(
        self, channel: ChannelRef, actor: Actor, command: Command, *, asked_in_channel: bool = False
    ) -> Outcome:
        """Run one command: its reply, and who sees it (the channel, or only the person who asked).

        `asked_in_channel`: the question itself was seen by the channel (a mention), so an answer
        to a question is shown there too. Whatever goes wrong, the person gets a friendly line and
        the operator a log entry.
        """
        reply = await self._reply(channel, actor, command)
        return Outcome(reply, audience_for(command, reply, asked_in_channel=asked_in_channel))

    async def _reply(self, channel: ChannelRef, actor: Actor, command: Command) -> Reply:
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

    async def _handle(self, channel: ChannelRef, actor: Actor, command: Command) -> Reply:
        if manages_channel(command) and not actor.can_manage:
            why = actor.why_not or "You don't have permission to change this channel's subscriptions."
            return Notice(why, Tone.ERROR)
        state = await self.repository.ensure_channel(channel)
        match command:
            case ShowHelp():
                return Help(COMMANDS)
            case NotUnderstood(why=why, show_help=True):
                return Help(COMMANDS, lead=why)
            case NotUnderstood(why=why):
                return Notice(why, Tone.ERROR)
            case Subscribe(topic=text):
                return await self.channels.subscribe(channel, actor, text)
            case Unsubscribe(topic_or_number=which):
                return await self.channels.unsubscribe(channel, which)
            case Mute(term=text):
                return await self.mutes.mute(channel, actor, text)
            case MuteChoices(paper=text):
                return await self._mute_choices(channel, actor, text)
            case Unmute(term=text):
                return await self.mutes.unmute(channel, text)
            case ListTopics():
                return await self.channels.topics(channel)
            case PostDigest():
                return await self._post_digest(channel)
            case PostMore():
                return await self._post_digest(channel, more=True)
            case Preview():
                return replace((await self.builder.build(state, explain=False)).digest, is_preview=True)
            case Explain(paper=text, from_item=from_item):
                return await self._explain(channel, actor, text, from_item=from_item)
            case Ask(paper=text, question=question, from_item=from_item):
                return await self._ask(channel, actor, text, question, from_item=from_item)
            case ShowSchedule():
                return self.channels.show_schedule(state)
            case SetSchedule():
                return await self.channels.set_schedule(state, command)
            case Pause():
                return await self.channels.set_paused(state, True)
            case Resume():
                return await self.channels.set_paused(state, False)
            case ShowSettings():
                shown = await self.channels.settings(state)
                if isinstance(shown, ChannelSettings):  # with how the channel's ranking is doing
                    figures = await self.votes.figures(channel)
                    shown = replace(shown, votes=figures, ranking=await self.builder.ranking_status(state))
                return shown
            case SetMaxPapers(value=value):
                return await self.channels.set_max_papers(state, value)
            case SetQuality(quality=quality):
                return await self.channels.set_quality(state, quality)
            case MarkNotRelevant(paper=text):  # "Not relevant" is a 👎
                return await self.votes.vote(channel, actor, text, up=False)
            case Vote(paper=text, up=up):
                return await self.votes.vote(channel, actor, text, up=up)
            case _:
                assert_never(command)

    async def _post_digest(self, channel: ChannelRef, *, more: bool = False) -> Reply:
        """The same delivery run the scheduler makes, for this one channel."""
        if self.publishers.get(channel.platform) is None:
            return Notice(f"I can't post to {channel.platform} right now.", Tone.ERROR)
        report = await self.delivery.run([channel], more=more)
        outcome = report.outcomes.get(channel.key)
        if outcome is None:
            # Logged with its cause; the person gets a plain line. By key: the stored name may differ.
            if channel.key in {ref.key for ref in report.failed}:
                return Notice(
                    "This channel's digest could not be made; the operator can see why in the log.",
                    Tone.ERROR,
                )
            return Notice("This channel follows no topics yet. Try `subscribe convergence`.", Tone.INFO)
        if outcome.error is not None:
            note = (
                " Daily digests here are paused; type `resume` once that is fixed."
                if outcome.error.paused
                else ""
            )
            return Notice(f"The digest could not be posted: {outcome.error}{note}", Tone.ERROR)
        if outcome.completed_earlier:
            # Earlier posts (a run cut short) already hold this digest's papers: say what is new.
            return outcome.digest
        return DigestPosted(outcome.digest, outcome.posted)

    async def _mute_choices(self, channel: ChannelRef, actor: Actor, text: str) -> Reply:
        found = await self.papers.find(channel, actor, text)
        if isinstance(found, Notice):
            return found
        topics, _ = read_stored(entry.topic for entry in await self.repository.topics(channel))
        return await self.mutes.choices(channel, found, topics)

    async def _explain(self, channel: ChannelRef, actor: Actor, text: str, *, from_item: bool) -> Reply:
        found = await self.papers.find(channel, actor, text)
        if isinstance(found, Notice):
            return found
        if from_item:
            await self.votes.weak_up(channel, actor, found.arxiv_id)
        explanation = await self.explainer.explain(found, channel=channel, user=user_key(channel, actor))
        return PaperCard(found, explanation)

    async def _ask(
        self, channel: ChannelRef, actor: Actor, text: str, question: str, *, from_item: bool
    ) -> Reply:
        found = await self.papers.find(channel, actor, text)
        if isinstance(found, Notice):
            return found
        if from_item:
            await self.votes.weak_up(channel, actor, found.arxiv_id)
        person = user_key(channel, actor)
        return Answer(
            found, question, await self.explainer.answer(found, question, channel=channel, user=person)
        )
