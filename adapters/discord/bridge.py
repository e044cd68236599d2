"""From a Discord interaction to the core and back: who, where, which command; defer, handle, reply."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from adapters.discord.buttons import card_buttons, mute_menu
from adapters.discord.limits import Outgoing, clip
from adapters.discord.render import notice_text, render_reply
from bot.domain.audience import Audience
from bot.domain.channel import Actor, ChannelRef
from bot.domain.command_specs import manages_channel, success_audience
from bot.domain.commands import Command, Explain, MarkNotRelevant, Mute, MuteChoices, Vote
from bot.domain.replies import MuteOffer, Notice, Outcome, PaperCard, Reply
from bot.ports import TopicLookup
from bot.rendering.sanitize import sanitize_text as clean
from bot.services.engine import Engine

log = logging.getLogger(__name__)

PLATFORM = "discord"
MAX_CHOICES = 25  # Discord shows at most 25 suggestions
CHOICE_LIMIT = 100  # characters of a choice's name and value
NOT_A_MANAGER = (
    "Changing this channel's topics and schedule needs the Manage Channels permission here. "
    "Ask a moderator to do it, or to give you that permission."
)
GUILDS_ONLY = "Paperboy works in server text channels; invite it to a server and use it there."


class CommandBridge:
    """Translates interactions into core commands and renders the engine's replies as follow-ups."""

    def __init__(self, engine: Engine, repository: TopicLookup, *, managers: str = "manage_channels"):
        self._engine = engine
        self._repository = repository
        self._everyone_manages = managers.strip().lower() == "everyone"

    def channel_ref(self, interaction: discord.Interaction) -> ChannelRef | None:
        """The channel whose subscriptions a command is about (a thread's parent channel)."""
        channel = interaction.channel
        if interaction.guild_id is None or channel is None:
            return None
        if isinstance(channel, discord.Thread) and channel.parent is not None:
            channel = channel.parent
        name = getattr(channel, "name", "") or ""
        return ChannelRef(PLATFORM, str(interaction.guild_id), str(channel.id), name)

    def actor(self, interaction: discord.Interaction) -> Actor:
        """The member, and whether they may change this channel (Manage Channels by default)."""
        user = interaction.user
        can_manage = self._everyone_manages or interaction.permissions.manage_channels
        return Actor(
            user_id=str(user.id),
            display_name=user.display_name,
            can_manage=can_manage,
            why_not="" if can_manage else NOT_A_MANAGER,
        )

    async def run(self, interaction: discord.Interaction, command: Command) -> None:
        """Answer within Discord's 3 seconds (a refusal at once, else a deferral), then follow up.

        A deferral fixes who sees the first answer, so it is made for the audience the core gives
        the command when all goes well; an error after a public deferral (the engine sends errors to
        the person only) removes the public "thinking" message and answers the person alone.
        """
        ref = self.channel_ref(interaction)
        if ref is None:
            await interaction.response.send_message(GUILDS_ONLY, ephemeral=True)
            return
        actor = self.actor(interaction)
        if manages_channel(command) and not actor.can_manage:
            # The engine refuses without touching anything, so this answers well within 3 seconds.
            refusal = await self._engine.handle(ref, actor, command)
            await interaction.response.send_message(_only_text(refusal.reply), ephemeral=True)
            return
        private = success_audience(command) is Audience.PERSON
        await interaction.response.defer(thinking=True, ephemeral=private)
        outcome = await self._engine.handle(ref, actor, command)
        await self.answer(interaction, outcome, deferred_privately=private)

    async def answer(
        self, interaction: discord.Interaction, outcome: Outcome, *, deferred_privately: bool
    ) -> None:
        """Follow a deferral up with the engine's reply, shown to whom the engine says."""
        to_person = outcome.audience is Audience.PERSON
        if to_person and not deferred_privately:
            # The public loading message cannot turn private, and a first follow-up would only edit it.
            await interaction.delete_original_response()
        reply = outcome.reply
        # An `/explain` card carries the votes and "Not relevant", as a digest item does.
        view = card_buttons(reply.paper.arxiv_id) if isinstance(reply, PaperCard) else None
        if isinstance(reply, MuteOffer):
            view = mute_menu(reply.paper.arxiv_id, reply.choices)
        await self.follow_up(
            interaction, render_reply(reply), ephemeral=to_person or deferred_privately, view=view
        )

    async def explain_in_thread(self, interaction: discord.Interaction, paper: str, thread_id: int) -> None:
        """The "Explain" button: the explanation goes to the digest's thread, a pointer to the clicker."""
        ref = self.channel_ref(interaction)
        if ref is None:
            await interaction.response.send_message(GUILDS_ONLY, ephemeral=True)
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        explain = Explain(paper, from_item=True)  # opened on a digest item: a weak 👍
        outcome = await self._engine.handle(ref, self.actor(interaction), explain)
        messages = render_reply(outcome.reply)
        in_channel = outcome.audience is Audience.CHANNEL and not isinstance(outcome.reply, Notice)
        thread = await self._thread(interaction, thread_id) if in_channel else None
        if thread is None:
            await self.follow_up(interaction, messages, ephemeral=True)
            return
        who = clean(interaction.user.display_name)
        try:
            await thread.send(f"🔎 {who} asked for an explanation of {paper}:")
            for message in messages:
                await thread.send(content=message.content or None, embeds=message.embeds)
        except (discord.Forbidden, discord.NotFound) as error:
            log.warning("discord: cannot post in thread %s (%s %s)", thread_id, error.status, error.text)
            await self.follow_up(interaction, messages, ephemeral=True)
            return
        await interaction.followup.send(f"Explained in {thread.mention}.", ephemeral=True)

    async def not_relevant(self, interaction: discord.Interaction, paper: str) -> None:
        """The "Not relevant" button: recorded for this channel, acknowledged to the clicker only."""
        await self.run(interaction, MarkNotRelevant(paper))

    async def vote(self, interaction: discord.Interaction, paper: str, up: bool) -> None:
        """A 👍 or 👎 button: the member's vote for this channel, acknowledged to them only."""
        await self.run(interaction, Vote(paper, up))

    async def mute_choices(self, interaction: discord.Interaction, paper: str) -> None:
        """ "Mute…" on an item: what of it the channel could mute, as a menu for the clicker alone."""
        await self.run(interaction, MuteChoices(paper))

    async def mute(self, interaction: discord.Interaction, term: str) -> None:
        """A choice in that menu: the real `mute`, so only those who may change the channel can."""
        await self.run(interaction, Mute(term))

    async def topic_choices(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        """The channel's own topics containing what was typed, for `unsubscribe`."""
        ref = self.channel_ref(interaction)
        if ref is None:
            return []
        wanted = typed.strip().lower()
        choices = []
        for entry in await self._repository.topics(ref):
            if wanted and wanted not in entry.topic.lower() and wanted != str(entry.number):
                continue
            # A topic longer than a choice value may be is unsubscribed by its number.
            value = entry.topic if len(entry.topic) <= CHOICE_LIMIT else str(entry.number)
            choices.append(
                app_commands.Choice(name=clip(f"{entry.number}. {entry.topic}", CHOICE_LIMIT), value=value)
            )
        return choices[:MAX_CHOICES]

    async def follow_up(
        self,
        interaction: discord.Interaction,
        messages: list[Outgoing],
        *,
        ephemeral: bool = False,
        view: discord.ui.View | None = None,
    ) -> None:
        """Send rendered messages as the interaction's follow-ups; `view` goes under the last one."""
        for n, message in enumerate(messages, start=1):
            await interaction.followup.send(
                content=message.content or discord.utils.MISSING,
                embeds=message.embeds or discord.utils.MISSING,
                ephemeral=ephemeral,
                view=view if view is not None and n == len(messages) else discord.utils.MISSING,
            )

    async def _thread(self, interaction: discord.Interaction, thread_id: int) -> discord.Thread | None:
        if not thread_id or interaction.guild is None:
            return None
        thread = interaction.guild.get_thread(thread_id)
        if thread is not None:
            return thread
        try:
            fetched = await interaction.client.fetch_channel(thread_id)
        except (discord.NotFound, discord.Forbidden) as error:
            log.info("digest thread %s is gone (%s); explaining in the follow-up", thread_id, error.status)
            return None
        return fetched if isinstance(fetched, discord.Thread) else None


def _only_text(reply: Reply | None) -> str:
    if isinstance(reply, Notice):
        return notice_text(reply)
    return "❌ " + NOT_A_MANAGER
