"""The commands that read or change a channel's own configuration: topics, schedule, pause, cap."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.channel import Actor, ChannelRef, ChannelState
from bot.domain.clock import Clock
from bot.domain.command_specs import TOPIC_SYNTAX_HELP
from bot.domain.commands import MAX_PAPERS_LIMIT, SetSchedule, max_papers_complaint
from bot.domain.quality import Quality
from bot.domain.replies import ChannelSettings, Notice, Reply, Tone, TopicList
from bot.domain.schedule import SCHEDULE_EXAMPLE, changed_schedule, next_occurrence
from bot.domain.topic_lexer import quote
from bot.domain.topics import Topic, TopicSyntaxError, as_stored, parse_topic, read_stored, same_topic
from bot.ports import DigestTimetable, Mutes, Storage, TopicAdded
from bot.services.paper_lookup import PaperLookup
from bot.services.topic_notes import describe_near, near_titles

MAX_TOPICS_PER_CHANNEL = 50


class ChannelCommands:
    """Subscriptions and settings of one channel, answered as replies."""

    def __init__(
        self, repository: Storage, clock: Clock, times: DigestTimetable, papers: PaperLookup, mutes: Mutes
    ):
        self.repository = repository
        self.clock = clock
        self._times = times  # the scheduler reads each channel's next digest time from here
        self._papers = papers  # `like:` papers are looked up as `explain` looks them up
        self._mutes = mutes

    async def subscribe(self, channel: ChannelRef, actor: Actor, text: str) -> Reply:
        """Follow a topic, unless the channel already follows one that selects the same papers."""
        try:
            topic = parse_topic(text)
        except TopicSyntaxError as error:
            return Notice(f"{error}\n{TOPIC_SYNTAX_HELP}", Tone.ERROR)
        existing = await self.repository.topics(channel)
        same = same_topic([e.topic for e in existing], topic.key)
        if same is not None:
            also = "" if same == topic.text else f", which selects the same papers as `{topic.text}`"
            return Notice(f"This channel already follows `{same}`{also}.", Tone.INFO)
        titles: dict[str, str] = {}
        for seed in topic.seeds:  # each must be a paper arXiv has, with the look-ups' limits
            found = await self._papers.find(channel, actor, seed)
            if isinstance(found, Notice):
                return Notice(f"I can't follow papers like {seed}: {found.text}", found.tone)
            titles[seed] = found.title
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
        count = len(await self.repository.topics(channel))
        repeats = [f"`{r}`" for r in dict.fromkeys(topic.repeats)]
        once = f" ({', '.join(repeats)} {'was' if len(repeats) == 1 else 'were'} dropped as a repeat)"
        once = once if repeats else ""
        what = describe_near(topic, titles) if topic.is_semantic else f"`{topic.text}`"
        return Notice(
            f"Subscribed to {what}{once}. This channel now follows {count} "
            f"topic{'s' if count != 1 else ''}; `preview` shows what the next digest would hold.",
            Tone.SUCCESS,
        )

    async def unsubscribe(self, channel: ChannelRef, which: str) -> Reply:
        """Stop following a topic named by its number, its text, or a text that selects the same."""
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

    async def topics(self, channel: ChannelRef) -> Reply:
        """The channel's topics, numbered, `like:` and `~` ones said in words, and its mutes."""
        entries = await self.repository.topics(channel)
        mutes = tuple(await self._mutes.of_channel(channel))
        if not entries:
            muted = f" Muted: {', '.join(f'`{m}`' for m in mutes)}." if mutes else ""
            return Notice(
                f"This channel follows no topics yet. Try `subscribe convergence`.{muted}", Tone.INFO
            )
        parsed: dict[str, Topic] = {}
        for entry in entries:
            readable, _ = read_stored([entry.topic])
            if readable and readable[0].is_semantic:
                parsed[entry.topic] = readable[0]
        titles = await near_titles(self.repository, parsed.values())
        shown = tuple(
            replace(e, note=describe_near(parsed[e.topic], titles)) if e.topic in parsed else e
            for e in entries
        )
        return TopicList(shown, mutes)

    def show_schedule(self, state: ChannelState) -> Reply:
        """When digests arrive, and how to change it."""
        return Notice(
            f"Digests arrive at {state.schedule.describe()}. Change it with e.g. `{SCHEDULE_EXAMPLE}`.",
            Tone.INFO,
        )

    async def set_schedule(self, state: ChannelState, command: SetSchedule) -> Reply:
        """A new time, and the time zone and days if given."""
        schedule = changed_schedule(state.schedule, command.at, command.timezone, command.cadence)
        await self.repository.update_channel(state.ref, schedule=schedule)
        upcoming = next_occurrence(schedule, self.clock.now())
        await self._times.reschedule(state.ref, None if state.paused else upcoming)
        week = f", each with the week's best {state.max_papers} papers" if schedule.weekly else ""
        return Notice(
            f"Digests will arrive at {schedule.describe()}{week}. "
            f"Next one: {_local(upcoming, schedule.timezone)}.",
            Tone.SUCCESS,
        )

    async def set_paused(self, state: ChannelState, paused: bool) -> Reply:
        """`pause` or `resume` scheduled digests."""
        if state.paused == paused:
            return Notice(f"Digests are already {'paused' if paused else 'running'} here.", Tone.INFO)
        updated = await self.repository.update_channel(state.ref, paused=paused)
        # Back from a pause, the next digest is the next one due: missed ones are not made up.
        upcoming = None if paused else next_occurrence(updated.schedule, self.clock.now())
        await self._times.reschedule(state.ref, upcoming)
        if paused:
            return Notice("Paused: no scheduled digests until `resume`. `digest` still works.", Tone.SUCCESS)
        return Notice(f"Resumed: digests arrive at {updated.schedule.describe()}.", Tone.SUCCESS)

    async def settings(self, state: ChannelState) -> Reply:
        """The channel's configuration at a glance."""
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
            mutes=tuple(await self._mutes.of_channel(state.ref)),
            quality=state.quality,
        )

    async def set_max_papers(self, state: ChannelState, value: int) -> Reply:
        """How many papers a digest holds at most."""
        if not 1 <= value <= MAX_PAPERS_LIMIT:  # the edges check it; a typed value is checked again
            return Notice(max_papers_complaint(str(value)), Tone.ERROR)
        await self.repository.update_channel(state.ref, max_papers=value)
        return Notice(f"Digests here now hold up to {value} papers.", Tone.SUCCESS)

    async def set_quality(self, state: ChannelState, quality: Quality) -> Reply:
        """How choosy the channel's learned ranking is."""
        await self.repository.update_channel(state.ref, quality=quality)
        if quality.is_normal:
            return Notice(
                "Digests here now show the best papers the ranking finds (quality normal).", Tone.SUCCESS
            )
        which = (
            "above the cut its votes taught it"
            if quality.high
            else f"with at least a {quality.cut:.0%} chance of a 👍"
        )
        return Notice(
            f"Digests here now show only papers {which} (quality {quality.text}). Before members have "
            "voted on a few papers, the topics' words choose.",
            Tone.SUCCESS,
        )


def _local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M %Z")
