"""The slash commands: `/paper <subcommand>` for everything, and `/explain paper:` on its own.

Option names are part of the interface (people and scripts type them): keep them stable.
"""

from __future__ import annotations

from zoneinfo import available_timezones

import discord
from discord import app_commands

from adapters.discord.bridge import MAX_CHOICES, CommandBridge
from bot.domain.commands import (
    Ask,
    Explain,
    ListTopics,
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

PAPER_OPTION = "An arXiv id or link, e.g. 2602.10905 or https://arxiv.org/abs/2602.10905"
DAY_CHOICES = ("daily", "weekdays", "mon,wed,fri", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIMEZONES = sorted(available_timezones())


def install_commands(tree: app_commands.CommandTree[discord.Client], bridge: CommandBridge) -> None:
    """Add `/paper` and `/explain` to the tree; every handler hands a core command to the bridge."""
    paper = app_commands.Group(
        name="paper",
        description="Paperboy: new arXiv papers for this channel",
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    @paper.command(name="subscribe", description="Follow a topic in this channel")
    @app_commands.describe(topic='Words, "phrases", cat:cs.LG, au:Name, ti:/abs:, AND, OR, NOT')
    async def subscribe(interaction: discord.Interaction, topic: app_commands.Range[str, 1, 300]) -> None:
        await bridge.run(interaction, Subscribe(topic))

    @paper.command(name="unsubscribe", description="Stop following a topic")
    @app_commands.describe(topic="One of this channel's topics, or its number from /paper topics")
    async def unsubscribe(interaction: discord.Interaction, topic: app_commands.Range[str, 1, 300]) -> None:
        await bridge.run(interaction, Unsubscribe(topic))

    @unsubscribe.autocomplete("topic")
    async def channel_topics(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await bridge.topic_choices(interaction, current)

    @paper.command(name="topics", description="List the topics this channel follows")
    async def topics(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, ListTopics())

    @paper.command(name="digest", description="Post this channel's digest now")
    async def digest(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, PostDigest())

    @paper.command(name="more", description="Post the next papers that matched, beyond the digest's")
    async def more(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, PostMore())

    @paper.command(name="preview", description="Show what the next digest would hold, posting nothing")
    async def preview(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, Preview())

    @paper.command(name="explain", description="Explain a paper and its mathematics")
    @app_commands.describe(paper=PAPER_OPTION)
    async def explain(interaction: discord.Interaction, paper: app_commands.Range[str, 1, 200]) -> None:
        await bridge.run(interaction, Explain(paper))

    @paper.command(name="ask", description="Ask a question about a paper")
    @app_commands.describe(paper=PAPER_OPTION, question="What you want to know about the paper")
    async def ask(
        interaction: discord.Interaction,
        paper: app_commands.Range[str, 1, 200],
        question: app_commands.Range[str, 1, 1000],
    ) -> None:
        await bridge.run(interaction, Ask(paper, question))

    @paper.command(name="schedule", description="When this channel's digest arrives (no options: show it)")
    @app_commands.describe(
        time="24-hour time, e.g. 09:00",
        timezone="A time zone, e.g. Europe/Berlin (default: the channel's current one)",
        days="daily, weekdays, or days like mon,wed,fri (default: the current days)",
    )
    async def schedule(
        interaction: discord.Interaction,
        time: app_commands.Range[str, 1, 5] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        days: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        args = " ".join(part.strip() for part in (time, timezone, days) if part and part.strip())
        await bridge.run(interaction, SetSchedule(args))

    @schedule.autocomplete("timezone")
    async def timezones(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower().replace(" ", "_")
        found = [zone for zone in TIMEZONES if wanted in zone.lower()][:MAX_CHOICES]
        return [app_commands.Choice(name=zone, value=zone) for zone in found]

    @schedule.autocomplete("days")
    async def day_sets(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower()
        return [app_commands.Choice(name=d, value=d) for d in DAY_CHOICES if d.startswith(wanted)]

    @paper.command(name="pause", description="Stop scheduled digests here until /paper resume")
    async def pause(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, Pause())

    @paper.command(name="resume", description="Restart scheduled digests here")
    async def resume(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, Resume())

    @paper.command(name="settings", description="Show this channel's schedule, topics and limits")
    @app_commands.describe(max_papers="Set how many papers a digest holds at most (1-50)")
    async def settings(
        interaction: discord.Interaction, max_papers: app_commands.Range[int, 1, 50] | None = None
    ) -> None:
        command = ShowSettings() if max_papers is None else SetMaxPapers(str(max_papers))
        await bridge.run(interaction, command)

    @paper.command(name="help", description="How to use Paperboy")
    async def help_(interaction: discord.Interaction) -> None:
        await bridge.run(interaction, ShowHelp(), ephemeral=True)

    @app_commands.command(name="explain", description="Explain an arXiv paper and its mathematics")
    @app_commands.describe(paper=PAPER_OPTION)
    @app_commands.guild_only()
    async def explain_paper(interaction: discord.Interaction, paper: app_commands.Range[str, 1, 200]) -> None:
        await bridge.run(interaction, Explain(paper))

    tree.add_command(paper)
    tree.add_command(explain_paper)
