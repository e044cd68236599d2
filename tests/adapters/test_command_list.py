"""One command list: every platform's help shows all of it, and no platform has a command outside it."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from adapters.console.render import render_help as console_help
from adapters.discord.commands import install_commands
from adapters.discord.help import slash_example, slash_usage
from adapters.discord.render import render_help as discord_help
from adapters.slack.blocks import render_help as slack_help
from adapters.slack.mrkdwn import escape
from adapters.slack.translate import slash_command
from bot.domain.command_parser import PARSERS, parse_command
from bot.domain.command_specs import COMMANDS, CommandSpec, command_names
from bot.domain.replies import Help

HELP = Help(COMMANDS)


def test_the_console_help_shows_every_command_with_its_example() -> None:
    shown = console_help(HELP)
    for spec in COMMANDS:
        assert spec.usage in shown and spec.summary in shown, spec.name
        assert spec.typed_example in shown, spec.name


def test_slacks_help_shows_every_command_with_its_example() -> None:
    shown = "\n".join(block["text"]["text"] for message in slack_help(HELP) for block in message.blocks)
    for spec in COMMANDS:
        assert escape(spec.usage) in shown and escape(spec.summary) in shown, spec.name
        if spec.arguments:
            assert f"/paper {escape(spec.typed_example)}" in shown, spec.name
    assert "/explain" in shown


def test_discords_help_shows_every_command_as_typed_there() -> None:
    shown = "\n".join(embed.description or "" for message in discord_help(HELP) for embed in message.embeds)
    for spec in COMMANDS:
        assert f"`{slash_usage(spec)}` {spec.summary}" in shown, spec.name
        if spec.arguments:
            assert slash_example(spec) in shown, spec.name
    assert "`/explain paper:`" in shown


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda spec: spec.typed_example)
def test_each_commands_example_works_as_typed_on_the_console_and_in_slack(spec: CommandSpec) -> None:
    assert isinstance(parse_command(spec.typed_example), spec.command)
    assert isinstance(slash_command("/paper", spec.typed_example), spec.command)


def test_the_text_parser_reads_exactly_the_listed_commands() -> None:
    assert set(PARSERS) == set(command_names())
    for spec in COMMANDS:
        for alias in spec.aliases:
            bare = parse_command(alias)
            assert type(bare) is type(parse_command(spec.name)), alias


async def test_discords_slash_commands_are_the_listed_commands_with_their_arguments() -> None:
    client = discord.Client(intents=discord.Intents.none())
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    install_commands(tree, bridge=None)  # type: ignore[arg-type]  # registration only; nothing runs
    paper = tree.get_command("paper")
    assert isinstance(paper, app_commands.Group)
    subcommands = {command.name: command for command in paper.commands}
    assert set(subcommands) == set(command_names())
    for name, command in subcommands.items():
        assert isinstance(command, app_commands.Command)
        listed = {a.name: a for spec in COMMANDS if spec.name == name for a in spec.arguments}
        options = {parameter.name: parameter for parameter in command.parameters}
        assert set(options) == set(listed), name
        for option_name, parameter in options.items():
            assert parameter.description == listed[option_name].description[:100], (name, option_name)
        summaries = [spec.summary for spec in COMMANDS if spec.name == name]
        assert any(summary[1:] in command.description for summary in summaries), name
    explain = tree.get_command("explain")
    assert isinstance(explain, app_commands.Command)
    assert [parameter.name for parameter in explain.parameters] == ["paper"]
    await client.close()
