"""`mute`, `unmute` and an item's "Mute…": words, authors and categories a channel never wants."""

from __future__ import annotations

from bot.domain.channel import Actor, ChannelRef
from bot.domain.clock import Clock
from bot.domain.mute_choices import mute_choices
from bot.domain.mutes import MAX_MUTES_PER_CHANNEL, parse_mute, same_mute
from bot.domain.paper import Paper
from bot.domain.replies import MuteOffer, Notice, Reply, Tone
from bot.domain.topic_lexer import TopicSyntaxError, quote
from bot.domain.topics import Topic
from bot.ports import MuteAdded, Mutes


class MuteCommands:
    """A channel's mutes: each removes papers from every topic's matches there."""

    def __init__(self, store: Mutes, clock: Clock) -> None:
        self.store = store
        self._clock = clock

    async def mute(self, channel: ChannelRef, actor: Actor, text: str) -> Reply:
        """Mute a term, unless the channel has muted the same already or has all it may."""
        try:
            mute = parse_mute(text)
        except TopicSyntaxError as error:
            return Notice(str(error), Tone.ERROR)
        stored = await self.store.of_channel(channel)
        same = same_mute(stored, mute.text)
        if same is not None:
            return Notice(f"This channel has already muted `{same}`.", Tone.INFO)
        who = actor.display_name or actor.user_id
        added = await self.store.add(channel, mute.text, who, self._clock.now(), cap=MAX_MUTES_PER_CHANNEL)
        if added is MuteAdded.ALREADY:
            return Notice(f"This channel has already muted `{mute.text}`.", Tone.INFO)
        if added is MuteAdded.FULL:
            return _full()
        return Notice(
            f"Muted `{mute.text}`: papers with it won't reach this channel, whichever topic brings "
            "them. `unmute` undoes it.",
            Tone.SUCCESS,
        )

    async def choices(self, channel: ChannelRef, paper: Paper, topics: list[Topic]) -> Reply:
        """What a digest item offers to mute here: its matched topic words, first authors, categories."""
        stored = await self.store.of_channel(channel)
        if len(stored) >= MAX_MUTES_PER_CHANNEL:
            return _full()
        offered = mute_choices(paper, topics, stored)
        if not offered:
            return Notice(
                f"There is nothing of {paper.arxiv_id} left to mute here: its words, authors and "
                "categories are muted already or can't be muted. `topics` lists the mutes.",
                Tone.INFO,
            )
        return MuteOffer(paper, offered)

    async def unmute(self, channel: ChannelRef, which: str) -> Reply:
        """Unmute a term named by its number in `topics`, as stored, or written another way."""
        stored = await self.store.of_channel(channel)
        if not stored:
            return Notice("This channel has muted nothing.", Tone.INFO)
        text = which.strip()
        if text.isascii() and text.isdigit():
            number = int(text)
            if not 1 <= number <= len(stored):
                return Notice(
                    f"There is no mute number {number}; `topics` lists 1 to {len(stored)}.", Tone.ERROR
                )
            target: str | None = stored[number - 1]
        else:
            target = same_mute(stored, text)
        if target is None or not await self.store.remove(channel, target):
            listing = ", ".join(f"{n}. `{term}`" for n, term in enumerate(stored, start=1))
            return Notice(
                f"This channel hasn't muted {quote(text, width=80)}. It has muted: {listing}", Tone.ERROR
            )
        return Notice(f"Unmuted `{target}`: papers with it can reach this channel again.", Tone.SUCCESS)


def _full() -> Notice:
    return Notice(
        f"This channel has muted {MAX_MUTES_PER_CHANNEL} terms, the most it can. "
        "Remove one with `unmute <number>` first (`topics` lists them).",
        Tone.ERROR,
    )
