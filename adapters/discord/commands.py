"""The slash commands: `/paper <subcommand>` for everything, and `/explain paper:` on its own.

Names, descriptions and option descriptions come from the core's command list; the options keep
Discord's types (a whole number for `max_papers`) and reach the core as typed values, each field
read on its own, never joined back into text. Option names are part of the interface (people and
scripts type them): keep them stable.
"""

from __future__ import annotations

from zoneinfo import available_timezones

import discord
from discord import app_commands

from adapters.discord.bridge import MAX_CHOICES, CommandBridge
from adapters.discord.help import describe, option_descriptions
from bot.domain.command_parser import quality_command, schedule_command
from bot.domain.commands import (
    Ask,
    Command,
    Explain,
    ListTopics,
    Mute,
    NotUnderstood,
    Pause,
    PostDigest,
    PostMore,
    Preview,
    Resume,
    SetMaxPapers,
    ShowHelp,
    ShowSettings,
    Subscribe,
    Unmute,
    Unsubscribe,
    Vote,
)

DAY_CHOICES = (
    "daily",
    "weekdays",
    "mon,wed,fri",
    "weekly mon",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
)
TIMEZONES = sorted(available_timezones())


def install_commands(tree: app_commands.CommandTree[discord.Client], bridge: CommandBridge) -> None:
    """Add `/paper` and `/explain` to the tree; every handler hands a core command to the bridge."""
    paper = app_commands.Group(
        name="paper",
        description="Paperboy: new arXiv papers for this channel",
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    @paper.command(name="subscribe", description=describe("subscribe"))
    @app_commands.describe(**option_descriptions("subscribe"))
    async def subscribe(interaction: discord.Interaction, topic: app_commands.Range[str, 1, 300]) -> None:
        await bridge.run(interaction, Subscribe(topic))

    @paper.command(name="unsubscribe", description=describe("unsubscribe"))
    @app_commands.describe(**option_descriptions("unsubscribe"))
    async def unsubscribe(interaction: discord.Interaction, topic: app_commands.Range[str, 1, 300]) -> None:
        await bridge.run(interaction, Unsubscribe(topic))

    @unsubscribe.autocomplete("topic")
    async def channel_topics(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await bridge.topic_choices(interaction, current)

    @paper.command(name="mute", description=describe("mute"))
    @app_commands.describe(**option_descriptions("mute"))
    async def mute(interaction: discord.Interaction, term: app_commands.Range[str, 1, 300]) -> None:
        await bridge.run(interaction, Mute(term))

    @paper.command(name="unmute", description=describe("unmute"))
    @app_commands.describe(**option_descriptions("unmute"))
    async def unmute(interaction: discord.Interaction, term: app_commands.Range[str, 1, 300]) -> None:
        await bridge.run(interaction, Unmute(term))

    @paper.command(name="topics", description=describe("topics"))
    async def topics(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, ListTopics())

    @paper.command(name="digest", description=describe("digest"))
    async def digest(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, PostDigest())

    @paper.command(name="more", description=describe("more"))
    async def more(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, PostMore())

    @paper.command(name="preview", description=describe("preview"))
    async def preview(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, Preview())

    @paper.command(name="explain", description=describe("explain"))
    @app_commands.describe(**option_descriptions("explain"))
    async def explain(interaction: discord.Interaction, paper: app_commands.Range[str, 1, 200]) -> None:
        await bridge.run(interaction, Explain(paper))

    @paper.command(name="ask", description=describe("ask"))
    @app_commands.describe(**option_descriptions("ask"))
    async def ask(
        interaction: discord.Interaction,
        paper: app_commands.Range[str, 1, 200],
        question: app_commands.Range[str, 1, 1000],
    ) -> None:
        await bridge.run(interaction, Ask(paper, question))

    @paper.command(name="like", description=describe("like"))
    @app_commands.describe(**option_descriptions("like"))
    async def like(interaction: discord.Interaction, paper: app_commands.Range[str, 1, 200]) -> None:
        await bridge.run(interaction, Vote(paper, up=True))

    @paper.command(name="dislike", description=describe("dislike"))
    @app_commands.describe(**option_descriptions("dislike"))
    async def dislike(interaction: discord.Interaction, paper: app_commands.Range[str, 1, 200]) -> None:
        await bridge.run(interaction, Vote(paper, up=False))

    @paper.command(name="schedule", description=describe("schedule"))
    @app_commands.describe(**option_descriptions("schedule"))
    async def schedule(
        interaction: discord.Interaction,
        time: app_commands.Range[str, 1, 5] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        days: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        await bridge.run(interaction, schedule_command(time, timezone, days))

    @schedule.autocomplete("timezone")
    async def timezones(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower().replace(" ", "_")
        found = [zone for zone in TIMEZONES if wanted in zone.lower()][:MAX_CHOICES]
        return [app_commands.Choice(name=zone, value=zone) for zone in found]

    @schedule.autocomplete("days")
    async def day_sets(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower()
        return [app_commands.Choice(name=d, value=d) for d in DAY_CHOICES if d.startswith(wanted)]

    @paper.command(name="pause", description=describe("pause"))
    async def pause(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, Pause())

    @paper.command(name="resume", description=describe("resume"))
    async def resume(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, Resume())

    @paper.command(name="settings", description=describe("settings"))
    @app_commands.describe(**option_descriptions("settings"))
    async def settings(
        interaction: discord.Interaction,
        max_papers: app_commands.Range[int, 1, 50] | None = None,
        quality: app_commands.Range[str, 1, 10] | None = None,
    ) -> None:
        await bridge.run(interaction, settings_command(max_papers, quality))

    @paper.command(name="help", description=describe("help"))
    async def help_(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, ShowHelp())

    @app_commands.command(name="explain", description=describe("explain"))
    @app_commands.describe(**option_descriptions("explain"))
    @app_commands.guild_only()
    async def explain_paper(interaction: discord.Interaction, paper: app_commands.Range[str, 1, 200]) -> None:
        await bridge.run(interaction, Explain(paper))

    tree.add_command(paper)
    tree.add_command(explain_paper)


def settings_command(max_papers: int | None, quality: str | None) -> Command:
    """`/paper settings` with its options: show, set the cap or set the quality (one at a time)."""
    if quality is not None and max_papers is not None:
        why = "Change one setting at a time, e.g. `/paper settings quality:high`, then `max_papers`."
        return NotUnderstood(why, show_help=False, managing=True)
    if quality is not None:
        return quality_command(quality)
    return ShowSettings() if max_papers is None else SetMaxPapers(max_papers)
