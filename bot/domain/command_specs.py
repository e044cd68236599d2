"""The one list of commands: what each is called, takes, does and looks like in use.

Every platform's help is rendered from it, Discord's slash commands take their descriptions
from it, and the engine reads from it who may run a command and who sees its answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.audience import Audience, Reach
from bot.domain.commands import (
    Ask,
    Command,
    Explain,
    ListTopics,
    MarkNotRelevant,
    Mute,
    MuteChoices,
    NotUnderstood,
    Pause,
    PostDigest,
    PostMore,
    Preview,
    Resume,
    SetMaxPapers,
    SetQuality,
    SetSchedule,
    ShowHelp,
    ShowSchedule,
    ShowSettings,
    Subscribe,
    Unmute,
    Unsubscribe,
    Vote,
)

PAPER_DESCRIPTION = "An arXiv id or link, e.g. 2602.10905 or https://arxiv.org/abs/2602.10905"
TOPIC_SYNTAX_HELP = (
    'Topics: words and "quoted phrases" (any inflection), cat:cs.LG or cat:math.*, au:Name, '
    "ti: and abs: fields, AND, OR, NOT or -word, and parentheses; like:2602.10905 for papers "
    'like one, ~"graph neural networks" by meaning.'
)


@dataclass(frozen=True, slots=True)
class Argument:
    """One thing a command takes: its option name on Discord, its placeholder in typed help."""

    name: str
    placeholder: str
    description: str  # at most 100 characters (Discord's limit for an option's description)
    required: bool = True
    keyword: str = ""  # typed before the value: `settings max 15`
    whole_number: bool = False

    @property
    def text(self) -> str:
        """`<topic>`, `[time zone]` or `max <1-50>`, as typed help shows it."""
        shown = f"<{self.placeholder}>" if self.required else f"[{self.placeholder}]"
        return f"{self.keyword} {shown}" if self.keyword else shown


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command as people use it; `example` holds a value for each argument, in order."""

    name: str
    command: type[Command]
    summary: str
    arguments: tuple[Argument, ...] = ()
    example: tuple[str, ...] = ()
    manages_channel: bool = False
    reach: Reach = Reach.AS_ASKED
    aliases: tuple[str, ...] = ()

    @property
    def usage(self) -> str:
        """`subscribe <topic>`: the command as typed, with placeholders."""
        return " ".join([self.name, *(argument.text for argument in self.arguments)])

    @property
    def typed_example(self) -> str:
        """`settings max 15`: a line that works, as typed."""
        words = [self.name]
        for argument, value in zip(self.arguments, self.example, strict=False):
            words += [argument.keyword, value] if argument.keyword else [value]
        return " ".join(words)

    def example_values(self) -> list[tuple[Argument, str]]:
        """Each argument of the example with its value (for platforms that name their options)."""
        return list(zip(self.arguments, self.example, strict=False))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "subscribe",
        Subscribe,
        "follow a topic in this channel",
        (
            Argument(
                "topic", "topic", 'Words, "phrases", cat:cs.LG, au:Name, AND, OR, NOT, like:<id>, ~"meaning"'
            ),
        ),
        example=('"diffusion model" AND cat:cs.LG',),
        manages_channel=True,
        aliases=("sub", "follow"),
        reach=Reach.CHANNEL,
    ),
    CommandSpec(
        "unsubscribe",
        Unsubscribe,
        "stop following a topic",
        (
            Argument(
                "topic", "topic | number", "One of this channel's topics, or its number from /paper topics"
            ),
        ),
        example=("2",),
        manages_channel=True,
        aliases=("unsub", "unfollow"),
        reach=Reach.CHANNEL,
    ),
    CommandSpec(
        "mute",
        Mute,
        "hide papers with a word, author or category here (each digest item offers its own)",
        (Argument("term", "term", 'A word, "phrase", au:"Name" or cat:cs.CV'),),
        example=("cat:cs.CV",),
        manages_channel=True,
        reach=Reach.CHANNEL,
    ),
    CommandSpec(
        "unmute",
        Unmute,
        "show papers with a muted term again",
        (Argument("term", "term | number", "One of this channel's mutes, or its number from /paper topics"),),
        example=("cat:cs.CV",),
        manages_channel=True,
        reach=Reach.CHANNEL,
    ),
    CommandSpec("topics", ListTopics, "list this channel's topics and mutes", aliases=("list",)),
    CommandSpec("digest", PostDigest, "post the digest now", reach=Reach.CHANNEL),
    CommandSpec(
        "more", PostMore, "post the next papers that matched, beyond the digest's papers", reach=Reach.CHANNEL
    ),
    CommandSpec(
        "preview", Preview, "show what the next digest would hold, posting nothing", reach=Reach.CHANNEL
    ),
    CommandSpec(
        "explain",
        Explain,
        "explain a paper and its mathematics",
        (Argument("paper", "arXiv id or URL", PAPER_DESCRIPTION),),
        example=("2602.10905",),
        reach=Reach.CHANNEL,
    ),
    CommandSpec(
        "ask",
        Ask,
        "ask a question about a paper",
        (
            Argument("paper", "arXiv id", PAPER_DESCRIPTION),
            Argument("question", "question", "What you want to know about the paper"),
        ),
        example=("2602.10905", "what is the Fisher surrogate?"),
        reach=Reach.CHANNEL,
    ),
    CommandSpec(
        "like",
        Vote,
        "vote 👍 for a paper: this channel's ranking learns from its members' votes",
        (Argument("paper", "arXiv id", PAPER_DESCRIPTION),),
        example=("2602.10905",),
        reach=Reach.PERSON,
    ),
    CommandSpec(
        "dislike",
        Vote,
        "vote 👎 for a paper (you can change your vote any time)",
        (Argument("paper", "arXiv id", PAPER_DESCRIPTION),),
        example=("2602.10905",),
        reach=Reach.PERSON,
    ),
    CommandSpec("schedule", ShowSchedule, "show when the digest arrives"),
    CommandSpec(
        "schedule",
        SetSchedule,
        "set when the digest arrives, daily or weekly",
        (
            Argument("time", "HH:MM", "24-hour time, e.g. 09:00"),
            Argument(
                "timezone",
                "time zone",
                "A time zone, e.g. Europe/Berlin (default: the channel's current one)",
                required=False,
            ),
            Argument(
                "days",
                "daily | weekdays | mon,wed,fri | weekly mon",
                "daily, weekdays, mon,wed,fri, or weekly mon: the week's best papers on Mondays",
                required=False,
            ),
        ),
        example=("09:00", "Europe/Berlin", "weekdays"),
        manages_channel=True,
        reach=Reach.CHANNEL,
    ),
    CommandSpec("pause", Pause, "stop scheduled digests", manages_channel=True, reach=Reach.CHANNEL),
    CommandSpec("resume", Resume, "restart scheduled digests", manages_channel=True, reach=Reach.CHANNEL),
    CommandSpec("settings", ShowSettings, "show this channel's schedule, topics and limits"),
    CommandSpec(
        "settings",
        SetMaxPapers,
        "set how many papers a digest holds",
        (
            Argument(
                "max_papers",
                "1-50",
                "How many papers a digest holds at most (1-50)",
                keyword="max",
                whole_number=True,
            ),
        ),
        example=("15",),
        manages_channel=True,
        reach=Reach.CHANNEL,
    ),
    CommandSpec(
        "settings",
        SetQuality,
        "fewer, better papers once votes have taught the channel",
        (
            Argument(
                "quality",
                "normal|high|0.7",
                "normal, high (only papers above the learned cut) or a chance of a 👍 like 0.7",
                keyword="quality",
            ),
        ),
        example=("high",),
        manages_channel=True,
        reach=Reach.CHANNEL,
    ),
    CommandSpec("help", ShowHelp, "show this list", aliases=("?",)),
)

_BY_TYPE: dict[type[Command], CommandSpec] = {spec.command: spec for spec in COMMANDS}
# Commands no one types: a button's, and what could not be read. Their answers are the person's.
_UNTYPED: dict[type[Command], Reach] = {
    MarkNotRelevant: Reach.PERSON,
    NotUnderstood: Reach.PERSON,
    MuteChoices: Reach.PERSON,  # the choices are for whoever may mute; the mute itself is the channel's
}
# A button's command that leads to changing the channel: whoever may not is told at once.
_UNTYPED_MANAGING: frozenset[type[Command]] = frozenset({MuteChoices})


def specs_named(name: str) -> tuple[CommandSpec, ...]:
    """The specs typed with this name (`schedule` shows or sets), in list order."""
    return tuple(spec for spec in COMMANDS if spec.name == name)


def command_names() -> tuple[str, ...]:
    """Every command's name once, in list order."""
    return tuple(dict.fromkeys(spec.name for spec in COMMANDS))


def manages_channel(command: Command) -> bool:
    """True when running `command` changes what or when the channel receives."""
    if isinstance(command, NotUnderstood):
        return command.managing
    if type(command) in _UNTYPED_MANAGING:
        return True
    spec = _BY_TYPE.get(type(command))
    return spec is not None and spec.manages_channel


def reach_of(command: Command) -> Reach:
    """Who the answer to `command` is for when it succeeds."""
    spec = _BY_TYPE.get(type(command))
    return spec.reach if spec is not None else _UNTYPED[type(command)]


def success_audience(command: Command, *, asked_in_channel: bool = False) -> Audience:
    """Who sees the answer if all goes well: what a platform that must answer first prepares for."""
    return reach_of(command).audience(asked_in_channel=asked_in_channel)
