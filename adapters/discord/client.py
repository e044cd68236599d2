"""The Discord connection: an auto-sharded client with only the guilds intent and a command tree."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands

from adapters.discord.bridge import CommandBridge
from adapters.discord.buttons import ExplainButton, MuteButton, MuteMenu, NotRelevantButton, VoteButton
from adapters.discord.commands import install_commands
from adapters.discord.isolation import isolate_parsers
from adapters.discord.registration import register_commands
from bot.ports import PlatformStateStore

log = logging.getLogger(__name__)
SOMETHING_WENT_WRONG = "❌ Something went wrong on my side; it is logged for the operator."


def point_rest_at(api_url: str) -> None:
    """Send REST calls (and with them interaction callbacks and follow-ups) to `api_url`.

    discord.py keeps the base URL in a class attribute that every request reads, so it must be set
    before connecting. The gateway follows: AutoShardedClient connects to whatever URL
    `GET /gateway/bot` on this server hands out.
    """
    discord.http.Route.BASE = api_url.rstrip("/")


class PaperboyClient(discord.AutoShardedClient):
    """Auto-sharded so a bot in thousands of guilds needs no change; no member or message intents.

    App commands and buttons arrive as interactions, which need neither message content nor members.
    """

    def __init__(
        self,
        bridge: CommandBridge,
        state: PlatformStateStore,
        *,
        guild_ids: tuple[int, ...] = (),
        guild_ready_timeout: float = 2.0,
    ):
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            chunk_guilds_at_startup=False,
            guild_ready_timeout=guild_ready_timeout,
        )
        # A malformed gateway event is dropped, never the connection (see isolation.py).
        isolate_parsers(self._connection.parsers)
        self.bridge = bridge
        self.state = state
        self.guild_ids = guild_ids
        self.ready = asyncio.Event()
        self.tree: app_commands.CommandTree[PaperboyClient] = app_commands.CommandTree(self)
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]
        install_commands(self.tree, bridge)

    async def setup_hook(self) -> None:
        """Listen for buttons on old digests; register the commands, if they changed since last time."""
        self.add_dynamic_items(ExplainButton, NotRelevantButton, VoteButton, MuteButton, MuteMenu)
        assert self.application_id is not None  # login has read the application
        await register_commands(self.tree, self.application_id, self.guild_ids, self.state)

    async def on_ready(self) -> None:
        """The gateway is connected and the guilds are loaded."""
        log.info("discord: connected as %s in %d guilds", self.user, len(self.guilds))
        self.ready.set()

    async def _on_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error(
            "discord: /%s failed",
            interaction.command.qualified_name if interaction.command else "?",
            exc_info=error,
        )
        try:
            if interaction.response.is_done():
                await interaction.followup.send(SOMETHING_WENT_WRONG, ephemeral=True)
            else:
                await interaction.response.send_message(SOMETHING_WENT_WRONG, ephemeral=True)
        except discord.HTTPException:
            log.warning("discord: could not tell the user about the failure either")
