"""The Discord adapter: slash commands and embed digests through discord.py, on the shared core."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Services
    from bot.ports import ChatAdapter
    from bot.settings import Settings


def create_adapter(settings: Settings, services: Services) -> ChatAdapter:
    """The Discord adapter for these settings (discord.py is imported only now)."""
    from adapters.discord.adapter import DiscordAdapter

    return DiscordAdapter(settings, services)
