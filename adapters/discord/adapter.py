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
from bot.ports import AdapterStartError
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
        """Log in, register the commands if they changed, connect the gateway; return when READY.

        The publisher is registered as soon as the login succeeded: Discord delivers interactions
        right after the gateway's READY, seconds before discord.py's `on_ready` (which waits for
        every guild), and a `/paper digest` in those seconds must find it.
        """
        point_rest_at(self._settings.discord_api_url)
        bridge = CommandBridge(
            self._services.engine,
            self._services.stores.subscriptions,
            managers=self._settings.discord_managers,
        )
        client = PaperboyClient(
            bridge,
            self._services.stores.platform_state,
            guild_ids=parse_guild_ids(self._settings.discord_guild_ids),
            guild_ready_timeout=self._guild_ready_timeout,
        )
        self.client = client
        token = self._settings.discord_token
        assert token is not None
        try:
            await client.login(token.get_secret_value())
        except Exception as error:
            await client.close()
            raise self._start_failure(error) from error
        self.publisher = DiscordPublisher(client, Pacer(self._settings.discord_post_interval))
        self._services.engine.register_publisher(self.publisher)
        self._task = asyncio.create_task(client.connect(), name="discord")
        ready = asyncio.create_task(client.ready.wait())
        await asyncio.wait({self._task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            failure = self._task.exception()
            if failure is None:
                raise DiscordStartError("the Discord client stopped before it was ready")
            raise self._start_failure(failure) from failure

    @property
    def connected(self) -> bool:
        """True while the client runs (the health check reads it): False once it stopped for good."""
        return (
            self.client is not None
            and not self.client.is_closed()
            and self._task is not None
            and not self._task.done()
        )

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

    def _start_failure(self, error: BaseException) -> DiscordStartError:
        """What the operator should read when logging in or connecting failed."""
        match error:
            case discord.LoginFailure():
                return DiscordStartError("Discord refused DISCORD_TOKEN; copy the bot token again.")
            case discord.PrivilegedIntentsRequired():
                return DiscordStartError("Discord refused the gateway intents Paperboy asked for.")
            case discord.HTTPException() | discord.GatewayNotFound() | OSError():
                return DiscordStartError(
                    f"Discord could not be reached at {self._settings.discord_api_url}: {error}"
                )
            case _:
                return DiscordStartError(f"the Discord client stopped before it was ready: {error!r}")


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
