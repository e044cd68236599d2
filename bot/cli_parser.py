"""Commands declared beside their functions, parsed by argparse, so `paperboy` starts quickly.

Importing typer (and the click it carries) cost about 45 ms of CPU at every start, nearly half of
`paperboy --help` (benchmarks/cycle_setup.py `help_time`); argparse comes with Python and loads
in a few milliseconds.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

Handler = Callable[..., None]
F = TypeVar("F", bound=Handler)


def echo(text: str, *, err: bool = False) -> None:
    """Print a line for the person at the terminal (standard error with `err`)."""
    print(text, file=sys.stderr if err else sys.stdout, flush=True)


def fail(text: str, code: int = 2) -> NoReturn:
    """Say what is wrong on standard error and exit with `code` (2: the input was wrong)."""
    echo(text, err=True)
    raise SystemExit(code)


class Option:
    """One argument of a command, as `ArgumentParser.add_argument` takes it.

    (Plain classes here: `dataclasses` imports `inspect`, a tenth of `paperboy --help`.)
    """

    __slots__ = ("flags", "settings")

    def __init__(self, flags: tuple[str, ...], settings: dict[str, Any]) -> None:
        self.flags = flags
        self.settings = settings


def option(*flags: str, **settings: Any) -> Option:
    """`option("--dry-run", action="store_true", help=...)`; a name without dashes is positional."""
    return Option(flags, settings)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number of at least 1, e.g. 7")
    return int(text)


class Commands:
    """A command group: `paperboy` itself, or `paperboy db`."""

    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.description = description
        self._commands: list[tuple[Handler, tuple[Option, ...]]] = []
        self._groups: list[Commands] = []

    def command(self, *options: Option) -> Callable[[F], F]:
        """Register the decorated function as a command named after it (its docstring is its help)."""

        def register(function: F) -> F:
            self._commands.append((function, options))
            return function

        return register

    def extend(self, other: Commands) -> None:
        """Take in another module's commands at this level (`paperboy ingest`, not a group)."""
        self._commands.extend(other._commands)

    def add_group(self, group: Commands) -> None:
        """A group of subcommands, e.g. `db`."""
        self._groups.append(group)

    def build(self, parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        """Add this group's commands (and subgroups) to `parser`."""
        parser.set_defaults(_help=parser.print_help)
        choices = parser.add_subparsers(title="commands", metavar="COMMAND")
        for function, options in self._commands:
            doc = _cleaned(function.__doc__ or "")
            name = function.__name__.strip("_").replace("_", "-")
            sub = choices.add_parser(
                name, help=doc.splitlines()[0], description=doc, formatter_class=_Formatter
            )
            for item in options:
                sub.add_argument(*item.flags, **item.settings)
            sub.set_defaults(_run=function, _help=sub.print_help)
        for group in self._groups:
            sub = choices.add_parser(
                group.name, help=group.description, description=group.description, formatter_class=_Formatter
            )
            group.build(sub)
        return parser


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Docstrings keep their paragraphs."""


def _cleaned(doc: str) -> str:
    """A docstring without the indentation of its later lines."""
    first, _, rest = doc.strip().partition("\n")
    return f"{first}\n{textwrap.dedent(rest)}".strip()


def run(commands: Commands, version: str, argv: list[str] | None = None) -> None:
    """Parse the command line and run the command; without one, show the help."""
    parser = argparse.ArgumentParser(
        prog=commands.name, description=commands.description, formatter_class=_Formatter
    )
    parser.add_argument("--version", action="version", version=version, help="show the version and exit")
    args = vars(commands.build(parser).parse_args(argv))
    show_help = args.pop("_help")
    function = args.pop("_run", None)
    if function is None:
        show_help()
        raise SystemExit(0)
    function(**args)
