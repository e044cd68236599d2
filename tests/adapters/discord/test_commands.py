"""What Discord is told at start-up: the commands' schema, where they go, and the intents."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.discord.adapter import DiscordStartError
from bot.settings import Settings
from tests.adapters.discord.conftest import DiscordBot
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.discord_server import FakeDiscord

STRING, SUBCOMMAND, INTEGER = 3, 1, 4
# Options that are not text, by (subcommand, option).
TYPED_OPTIONS = {("settings", "max_papers"): INTEGER}
GUILD_INTENT = 1 << 0
# Subcommand -> its options (name, required, autocomplete), as the issue fixes them.
PAPER_SUBCOMMANDS: dict[str, list[tuple[str, bool, bool]]] = {
    "subscribe": [("topic", True, False)],
    "unsubscribe": [("topic", True, True)],
    "mute": [("term", True, False)],
    "unmute": [("term", True, False)],
    "topics": [],
    "digest": [],
    "more": [],
    "preview": [],
    "explain": [("paper", True, False)],
    "ask": [("paper", True, False), ("question", True, False)],
    "like": [("paper", True, False)],
    "dislike": [("paper", True, False)],
    "schedule": [("time", False, False), ("timezone", False, True), ("days", False, True)],
    "pause": [],
    "resume": [],
    "settings": [("max_papers", False, False), ("quality", False, False)],
    "help": [],
}


def by_name(commands: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {command["name"]: command for command in commands}


async def test_commands_are_registered_in_the_configured_guild_with_typed_described_options(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    registered = by_name(fake_discord.commands[str(fake_discord.guild_id)])
    assert set(registered) == {"paper", "explain"}
    assert "global" not in fake_discord.commands  # guild sync only: commands show up at once

    paper = registered["paper"]
    assert paper["type"] == 1 and paper["description"]
    subcommands = by_name(paper["options"])
    assert set(subcommands) == set(PAPER_SUBCOMMANDS)
    for name, expected in PAPER_SUBCOMMANDS.items():
        sub = subcommands[name]
        assert sub["type"] == SUBCOMMAND
        assert 0 < len(sub["description"]) <= 100, name
        options = sub.get("options", [])
        shape = [(o["name"], o.get("required", False), o.get("autocomplete", False)) for o in options]
        assert shape == expected, name
        for option in options:
            assert option["type"] == TYPED_OPTIONS.get((name, option["name"]), STRING)
            assert 0 < len(option["description"]) <= 100, (name, option["name"])

    explain = registered["explain"]
    assert [(o["name"], o["type"], o["required"]) for o in explain["options"]] == [("paper", STRING, True)]
    assert "arXiv" in explain["options"][0]["description"]
    # Channel commands make no sense in DMs.
    assert paper["contexts"] == [0] and explain["contexts"] == [0]


async def test_the_bot_asks_for_the_gateway_and_only_the_guilds_intent(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    assert fake_discord.requests_to("GET", "/gateway/bot"), "AutoShardedClient asks where to connect"
    assert fake_discord.identify is not None
    assert fake_discord.identify["intents"] == GUILD_INTENT
    assert fake_discord.identify["shard"] == [0, 1]
    assert fake_discord.heartbeats >= 1


async def test_without_guild_ids_the_commands_are_registered_globally(
    settings: Settings, fake_discord: FakeDiscord, fake_arxiv: FakeArxiv
) -> None:
    running = DiscordBot(settings.model_copy(update={"discord_guild_ids": ""}), fake_discord, fake_arxiv)
    await running.start()
    try:
        assert set(by_name(fake_discord.commands["global"])) == {"paper", "explain"}
        assert str(fake_discord.guild_id) not in fake_discord.commands
    finally:
        await running.close()


async def test_a_refused_token_stops_start_up_with_a_clear_message(
    settings: Settings, fake_discord: FakeDiscord, fake_arxiv: FakeArxiv
) -> None:
    fake_discord.fail_next("GET", "/users/@me", 401, {"message": "401: Unauthorized", "code": 0})
    running = DiscordBot(settings, fake_discord, fake_arxiv)
    with pytest.raises(DiscordStartError, match="Discord refused DISCORD_TOKEN") as refused:
        await running.start()
    await running.close()
    assert "fake-bot-token" not in str(refused.value)
    assert fake_discord.identify is None  # never got as far as the gateway
