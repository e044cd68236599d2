"""Register the slash commands with Discord only when they changed, not on every start.

Each registration is a bulk overwrite (`PUT .../commands`), rate limited by Discord (a daily quota
of command creations per application), and a restart loop would spend it for nothing. So the bot
stores a fingerprint of what it registered: the command definitions, the application id and the
guilds (DISCORD_GUILD_IDS) it registered them in, and registers again only when that changes.
"""

from __future__ import annotations

import hashlib
import json
import logging

import discord
from discord import app_commands

from bot.ports import PlatformStateStore

log = logging.getLogger(__name__)
FINGERPRINT_KEY = "discord.commands"


def commands_fingerprint(
    tree: app_commands.CommandTree[discord.Client], application_id: int, guild_ids: tuple[int, ...]
) -> str:
    """A hash of what a registration would send, and where."""
    definitions = sorted(
        (command.to_dict(tree) for command in tree.get_commands()),
        key=lambda payload: (payload.get("type", 1), payload["name"]),
    )
    covered = {"application_id": application_id, "guild_ids": sorted(guild_ids), "commands": definitions}
    text = json.dumps(covered, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


async def register_commands(
    tree: app_commands.CommandTree[discord.Client],
    application_id: int,
    guild_ids: tuple[int, ...],
    state: PlatformStateStore,
) -> bool:
    """Register the tree's commands (per guild at once, else globally) unless already registered.

    Returns True when Discord was asked. The fingerprint is stored only after Discord accepted.
    """
    fingerprint = commands_fingerprint(tree, application_id, guild_ids)
    guilds = [discord.Object(id=guild_id) for guild_id in guild_ids]
    for guild in guilds:
        tree.copy_global_to(guild=guild)  # the local tree mirrors what Discord has, registered or not
    if await state.get(FINGERPRINT_KEY) == fingerprint:
        log.info("discord: commands unchanged since they were last registered; not registering again")
        return False
    if guilds:
        for guild in guilds:
            synced = await tree.sync(guild=guild)
            log.info("discord: %d commands registered in guild %s", len(synced), guild.id)
    else:
        synced = await tree.sync()
        log.info(
            "discord: %d global commands registered (Discord may take an hour to show them)", len(synced)
        )
    await state.put(FINGERPRINT_KEY, fingerprint)
    return True
