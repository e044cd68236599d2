"""The Discord ChatAdapter: connect, register the publisher, run until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord

from adapters.discord.bridge import CommandBridge
from adapters.discord.client import PaperboyClient, point_rest_at
from adapters.discord.publisher import DiscordPublisher, Pacer
from bot.app import Services
from bot.services.ports import AdapterStartError
from bot.settings import Settings

log = logging.getLogger(__name__)


class DiscordStartError(AdapterStartError):
    """Discord could not be reached or refused the token; the message is for the operator."""


class DiscordAdapter:
    """Runs the Discord client on the bot's loop; `start` returns once the gateway is ready."""

    platform = "discord"

    def __init__(self, settings: Settings, services: Services, *, guild_ready_timeout: float = 2.0):
        if settings.discord_token is None:
            raise DiscordStartError("DISCORD_TOKEN is not set.")
        self._settings = settings
        self._services = services
        self._guild_ready_timeout = guild_ready_timeout
        self.client: PaperboyClient | None = None
        self.publisher: DiscordPublisher | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Log in, sync the commands, connect the gateway; return when READY."""
        point_rest_at(self._settings.discord_api_url)
        bridge = CommandBridge(
            self._services.engine, self._services.repository, managers=self._settings.discord_managers
        )
        client = PaperboyClient(
            bridge,
            guild_ids=parse_guild_ids(self._settings.discord_guild_ids),
            guild_ready_timeout=self._guild_ready_timeout,
        )
        self.client = client
        token = self._settings.discord_token
        assert token is not None
        self._task = asyncio.create_task(client.start(token.get_secret_value()), name="discord")
        ready = asyncio.create_task(client.ready.wait())
        await asyncio.wait({self._task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            await self._raise_start_failure()
        self.publisher = DiscordPublisher(client, Pacer(self._settings.discord_post_interval))
        self._services.engine.register_publisher(self.publisher)

    async def wait_closed(self) -> None:
        """Return when the client stops (after `stop`, or when Discord closes for good)."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
                await self._task

    async def stop(self) -> None:
        """Close the gateway and the HTTP session."""
        if self.client is not None and not self.client.is_closed():
            await self.client.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
                await self._task

    async def _raise_start_failure(self) -> None:
        assert self._task is not None
        try:
            self._task.result()
        except discord.LoginFailure as error:
            raise DiscordStartError("Discord refused DISCORD_TOKEN; copy the bot token again.") from error
        except discord.PrivilegedIntentsRequired as error:
            raise DiscordStartError("Discord refused the gateway intents Paperboy asked for.") from error
        except (discord.HTTPException, discord.GatewayNotFound, OSError) as error:
            raise DiscordStartError(
                f"Discord could not be reached at {self._settings.discord_api_url}: {error}"
            ) from error
        raise DiscordStartError("the Discord client stopped before it was ready")


def parse_guild_ids(text: str) -> tuple[int, ...]:
    """`DISCORD_GUILD_IDS=1,2` as ids; anything else is a configuration error the operator sees."""
    ids = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        if not part.isdigit():
            raise DiscordStartError(f"DISCORD_GUILD_IDS holds {part!r}, which is not a server id (digits).")
        ids.append(int(part))
    return tuple(ids)
