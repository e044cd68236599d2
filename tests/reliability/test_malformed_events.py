"""A malformed Discord gateway event through a real `paperboy run`: the process, its scheduler and its
Discord connection live on, and the next command is answered."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

from tests.fakes import discord_payloads as p
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.discord_server import FakeDiscord
from tests.reliability.conftest import BotProcess
from tests.support.processes import free_port, paperboy_env

TOKEN = "fake-bot-token"


def _health(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
        return dict(json.loads(answer.read()))


async def test_an_interaction_without_channel_position_leaves_paperboy_run_running(
    tmp_path: Path, fake_arxiv: FakeArxiv
) -> None:
    async with FakeDiscord() as discord:
        port = free_port()
        env = paperboy_env(
            tmp_path,
            f"sqlite:///{tmp_path / 'paperboy.db'}",
            fake_arxiv,
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_URL=discord.api_url,
            DISCORD_GUILD_IDS=str(discord.guild_id),
            DISCORD_POST_INTERVAL="0",
            HEALTH_HOST="127.0.0.1",
            HEALTH_PORT=str(port),
            LOG_LEVEL="INFO",
        )
        process = await BotProcess(env, tmp_path).start()
        try:
            await process.wait_for_log("discord: connected")
            # The interaction of issue 12: from a channel discord.py has not cached, without `position`.
            broken = discord.slash_payload("paper", "topics")
            broken["channel"] = p.text_channel(p.snowflake(), discord.guild_id, "new-channel", 3)
            broken["channel_id"] = broken["channel"]["id"]
            del broken["channel"]["position"]
            await discord.dispatch("INTERACTION_CREATE", broken)
            await process.wait_for_log("dropped a malformed INTERACTION_CREATE event: KeyError 'position'")

            handle = await discord.slash("paper", "subscribe", topic="convergence")
            await discord.wait_for(lambda: handle.followups, within=30)
            assert "Subscribed to `convergence`" in str(handle.followups[0].body)
            health = await asyncio.to_thread(_health, port)
            assert health["status"] == "ok", health
            assert health["adapters"] == {"discord": True} and health["scheduler"] == "running"
            assert not process.exited
        finally:
            code = await process.stop()
        assert code == 0, process.log
        assert TOKEN not in process.log and broken["token"] not in process.log
