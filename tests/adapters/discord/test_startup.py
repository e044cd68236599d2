"""Starting and restarting on Discord: commands registered only when they changed, and commands typed
during a restart answered before discord.py's on_ready."""

from __future__ import annotations

import asyncio
import contextlib

import discord
from discord import app_commands

from adapters.discord.adapter import DiscordStartError
from adapters.discord.registration import commands_fingerprint, register_commands
from bot.infra.storage.platform_state import PlatformState
from bot.settings import Settings
from tests.adapters.discord.conftest import DiscordBot, text_of
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.discord_server import FakeDiscord

NHGD_ID = "2602.10905"


async def test_a_restart_with_the_same_commands_registers_nothing(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    assert fake_discord.command_overwrites == 1  # the first start, in the one guild
    await bot.restart()
    await bot.restart()
    assert fake_discord.command_overwrites == 1
    # The commands Discord kept still reach the bot.
    assert "follows no topics" in text_of(await bot.run("paper", "topics"))


async def test_other_guilds_or_another_application_register_again(
    settings: Settings, bot: DiscordBot, fake_discord: FakeDiscord, fake_arxiv: FakeArxiv
) -> None:
    await bot.close()
    everywhere = DiscordBot(settings.model_copy(update={"discord_guild_ids": ""}), fake_discord, fake_arxiv)
    await everywhere.start()
    await everywhere.close()
    assert len(fake_discord.requests_to("PUT", r"/applications/\d+/commands")) == 1  # now global
    assert fake_discord.command_overwrites == 2

    async with FakeDiscord() as other_app:  # another bot application, on the same database
        moved = settings.model_copy(
            update={"discord_api_url": other_app.api_url, "discord_guild_ids": str(other_app.guild_id)}
        )
        elsewhere = await DiscordBot(moved, other_app, fake_arxiv).start()
        await elsewhere.close()
        assert other_app.command_overwrites == 1
    assert fake_discord.command_overwrites == 2


async def test_a_changed_definition_registers_again(bot: DiscordBot, fake_discord: FakeDiscord) -> None:
    assert bot.adapter is not None and bot.adapter.client is not None and bot.services is not None
    client = bot.adapter.client
    assert client.application_id is not None
    state = PlatformState(bot.services.database)
    guilds = (fake_discord.guild_id,)
    before = commands_fingerprint(client.tree, client.application_id, guilds)
    assert not await register_commands(client.tree, client.application_id, guilds, state)

    @app_commands.command(name="ping", description="Is Paperboy there?")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    client.tree.add_command(ping)
    assert commands_fingerprint(client.tree, client.application_id, guilds) != before
    assert await register_commands(client.tree, client.application_id, guilds, state)
    assert fake_discord.command_overwrites == 2
    assert "ping" in {c["name"] for c in fake_discord.commands[str(fake_discord.guild_id)]}
    assert not await register_commands(client.tree, client.application_id, guilds, state)
    assert fake_discord.command_overwrites == 2


async def test_a_command_typed_during_a_restart_is_answered_before_on_ready(
    settings: Settings, bot: DiscordBot, fake_discord: FakeDiscord, fake_arxiv: FakeArxiv
) -> None:
    await bot.run("paper", "subscribe", topic='au:"Deyi Kong"')
    await bot.close()
    # Typed while the bot restarts: it arrives right after READY, before the guild is loaded.
    handle = await fake_discord.slash("paper", "digest", on_connect=True)
    # discord.py fires on_ready only this long after the last GUILD_CREATE: never during this test.
    restarted = DiscordBot(settings, fake_discord, fake_arxiv, guild_ready_timeout=120.0)
    starting = asyncio.create_task(restarted.start())
    try:
        await fake_discord.wait_for(lambda: handle.followups, within=15)
        assert restarted.adapter is not None and restarted.adapter.client is not None
        assert not restarted.adapter.client.ready.is_set()  # still before on_ready
        answer = text_of([r.body for r in handle.followups])
        assert "can't post" not in answer
        assert "Digest posted." in answer
        posted = fake_discord.messages[str(fake_discord.papers_channel["id"])]
        assert any(NHGD_ID in str(m["embeds"]) for m in posted)
    finally:
        await restarted.close()
        with contextlib.suppress(DiscordStartError):
            await starting
