"""The command list as Discord shows it, and the descriptions its slash commands register with.

Both come from the core's one command list (`bot.domain.command_specs`), so the help, the
registered commands and what the console and Slack say cannot drift apart.
"""

from __future__ import annotations

from bot.domain.command_specs import COMMANDS, CommandSpec, specs_named
from bot.domain.replies import Help

GROUP = "/paper"
DESCRIPTION_LIMIT = 100  # characters of a command's or an option's description


def slash_usage(spec: CommandSpec) -> str:
    """`/paper schedule time: timezone: days:`: the command as typed on Discord."""
    return " ".join([GROUP, spec.name, *(f"{argument.name}:" for argument in spec.arguments)])


def slash_example(spec: CommandSpec) -> str:
    """`/paper settings max_papers:15`: a use of the command that works."""
    values = [f"{argument.name}:{value}" for argument, value in spec.example_values()]
    return " ".join([GROUP, spec.name, *values])


def help_lines(help_: Help) -> str:
    """One line a command, with an example of those that take something."""
    lines = []
    for spec in help_.commands:
        lines.append(f"`{slash_usage(spec)}` {spec.summary}")
        if spec.arguments:
            lines.append(f"  e.g. `{slash_example(spec)}`")
    explain = specs_named("explain")[0]
    lines.append(
        f"`/explain {' '.join(a.name + ':' for a in explain.arguments)}` the same as `/paper explain`"
    )
    return "\n".join(lines)


def describe(name: str) -> str:
    """A subcommand's description: what it does, and what it does without options if that differs."""
    specs = specs_named(name)
    with_options = [spec for spec in specs if spec.arguments] or list(specs)
    text = _sentence(with_options[0].summary)
    bare = [spec for spec in specs if not spec.arguments]
    if bare and with_options[0] is not bare[0]:
        text += f" (no options: {bare[0].summary})"
    return text[:DESCRIPTION_LIMIT]


def option_descriptions(name: str) -> dict[str, str]:
    """Each option of a subcommand with its description, for `app_commands.describe`."""
    return {a.name: a.description[:DESCRIPTION_LIMIT] for spec in specs_named(name) for a in spec.arguments}


def subcommand_names() -> tuple[str, ...]:
    """The `/paper` subcommands: one per name in the command list."""
    return tuple(dict.fromkeys(spec.name for spec in COMMANDS))


def _sentence(summary: str) -> str:
    return summary[:1].upper() + summary[1:]
