"""Typed text to commands: the console and Slack parse here; Discord shares the field readers.

Whatever cannot be read becomes a `NotUnderstood` that says what was wrong and shows an example
of right; nothing here raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.domain.command_specs import COMMANDS
from bot.domain.commands import (
    MAX_PAPERS_LIMIT,
    Ask,
    Command,
    Explain,
    ListTopics,
    Mute,
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
    max_papers_complaint,
)
from bot.domain.quality import QualityError, parse_quality
from bot.domain.schedule import (
    SCHEDULE_EXAMPLE,
    WEEKLY_EXAMPLE,
    Cadence,
    CadenceKind,
    ScheduleError,
    parse_cadence,
    parse_time,
    parse_timezone,
)

MAX_COMMAND_LENGTH = 4000
# Bytes that were not UTF-8 arrive as lone surrogates (surrogateescape); no database can store them.
_SURROGATES = re.compile("[\ud800-\udfff]")
UNREADABLE_TEXT = (
    "That line holds bytes that are not UTF-8 text, so I can't read it. "
    "Type it again as plain text, e.g. `subscribe convergence`."
)
MAX_OPTION_WORDS = {"max", "max-papers", "max_papers", "cap"}


def parse_command(text: str) -> Command:
    """Turn what someone typed (with or without a leading slash or `paper`) into a command."""
    text = text.strip()
    if _SURROGATES.search(text):
        return NotUnderstood(UNREADABLE_TEXT)
    if len(text) > MAX_COMMAND_LENGTH:
        return NotUnderstood(f"That message is too long ({len(text):,} characters); commands are short.")
    text = text.removeprefix("/").strip()
    verb, _, rest = text.partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb == "paper" and rest:
        return parse_command(rest)
    if verb in {"", "paper"}:
        return ShowHelp()
    name = _NAMES.get(verb)
    if name is None:
        shown = verb if len(verb) <= 40 else verb[:40] + "…"
        return NotUnderstood(f"I don't know the command `{shown}`.")
    return PARSERS[name](rest)


def schedule_command(at: str | None, timezone: str | None = None, days: str | None = None) -> Command:
    """`schedule` from its three fields (each optional): show it, change it, or say what is wrong."""
    at, timezone, days = (_given(field) for field in (at, timezone, days))
    if at is None and timezone is None and days is None:
        return ShowSchedule()
    try:
        cadence: Cadence | None = parse_cadence(days) if days is not None else None
        if at is None:
            example = WEEKLY_EXAMPLE if cadence and cadence.kind is CadenceKind.WEEKLY else SCHEDULE_EXAMPLE
            raise ScheduleError(f"Give a time too, e.g. `{example}`.")
        when = parse_time(at)
        zone = parse_timezone(timezone) if timezone is not None else None
    except ScheduleError as error:
        return NotUnderstood(str(error), show_help=False, managing=True)
    return SetSchedule(when, zone, cadence)


def max_papers_command(value: str) -> Command:
    """`settings max <n>`: a whole number from 1 to 50, in plain digits."""
    text = value.strip()
    if re.fullmatch(r"[0-9]{1,4}", text) and 1 <= int(text) <= MAX_PAPERS_LIMIT:
        return SetMaxPapers(int(text))
    return NotUnderstood(max_papers_complaint(text), show_help=False, managing=True)


def quality_command(value: str) -> Command:
    """`settings quality high`, `normal` or a chance such as `0.7`."""
    try:
        return SetQuality(parse_quality(value))
    except QualityError as error:
        return NotUnderstood(str(error), show_help=False, managing=True)


def _given(field: str | None) -> str | None:
    return field.strip() if field and field.strip() else None


def _schedule(rest: str) -> Command:
    """`schedule` with a time, a time zone and days, in any order: `schedule weekly mon 09:00 UTC`
    is `schedule 09:00 UTC weekly mon`. A time starts with a digit, a zone has a `/` (or is UTC)."""
    parts = rest.split()
    if not parts:
        return ShowSchedule()
    times: list[str] = []
    zones: list[str] = []
    days: list[str] = []
    for part in parts:
        if part.lower() in {"am", "pm"} and times:  # `9 am`
            times[-1] += part
        elif part[0].isdigit():
            times.append(part)
        elif "/" in part or part.upper() in {"UTC", "GMT"}:
            zones.append(part)
        else:
            days.append(part)
    for found, what in ((times, "time"), (zones, "time zone")):
        if len(found) > 1:
            given = " and ".join(f"`{f}`" for f in found)
            why = f"Give one {what}, not {given}, e.g. `{SCHEDULE_EXAMPLE}`."
            return NotUnderstood(why, show_help=False, managing=True)
    return schedule_command(times[0] if times else None, zones[0] if zones else None, " ".join(days) or None)


def _settings(rest: str) -> Command:
    if not rest:
        return ShowSettings()
    option, _, value = rest.partition(" ")
    if option.lower() in MAX_OPTION_WORDS:
        return max_papers_command(value)
    if option.lower() == "quality":
        return quality_command(value)
    return NotUnderstood(
        "`settings` shows this channel's settings; `settings max 15` sets the papers per digest, "
        "`settings quality high` asks for fewer, better papers once votes have taught the channel."
    )


def _subscribe(rest: str) -> Command:
    if not rest:
        return NotUnderstood("Which topic? For example `subscribe convergence`.")
    return Subscribe(rest)


def _unsubscribe(rest: str) -> Command:
    if not rest:
        return NotUnderstood("Which topic? Give its text or its number from `topics`, e.g. `unsubscribe 2`.")
    return Unsubscribe(rest)


def _mute(rest: str) -> Command:
    if not rest:
        why = 'Mute what? One word, author or category, e.g. `mute rendering`, `mute au:"Jane Doe"`.'
        return NotUnderstood(why, show_help=False, managing=True)
    return Mute(rest)


def _unmute(rest: str) -> Command:
    if not rest:
        why = "Unmute what? Give the muted term or its number from `topics`, e.g. `unmute 1`."
        return NotUnderstood(why, show_help=False, managing=True)
    return Unmute(rest)


def _explain(rest: str) -> Command:
    if not rest:
        return NotUnderstood("Which paper? For example `explain 2602.10905`.")
    return Explain(rest)


def _ask(rest: str) -> Command:
    paper, _, question = rest.partition(" ")
    if not paper or not question.strip():
        return NotUnderstood("Ask about a paper like this: `ask 2602.10905 what does the main theorem say?`")
    return Ask(paper, question.strip())


def _vote(up: bool) -> Callable[[str], Command]:
    """`like <id>` or `dislike <id>`: the paper is checked by the engine, like `explain`'s."""
    verb = "like" if up else "dislike"

    def parse(rest: str) -> Command:
        if not rest or len(rest.split()) > 1:
            return NotUnderstood(
                f"Which paper? Give one arXiv id, e.g. `{verb} 2602.10905`.", show_help=False
            )
        return Vote(rest, up)

    return parse


def _plain(command: Command) -> Callable[[str], Command]:
    """A command that takes nothing: whatever follows its name is ignored, as it always was."""
    return lambda _rest: command


# One reader per command name of the list; `test_command_list` checks that the two agree.
PARSERS: dict[str, Callable[[str], Command]] = {
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
    "mute": _mute,
    "unmute": _unmute,
    "topics": _plain(ListTopics()),
    "digest": _plain(PostDigest()),
    "more": _plain(PostMore()),
    "preview": _plain(Preview()),
    "explain": _explain,
    "ask": _ask,
    "like": _vote(True),
    "dislike": _vote(False),
    "schedule": _schedule,
    "pause": _plain(Pause()),
    "resume": _plain(Resume()),
    "settings": _settings,
    "help": _plain(ShowHelp()),
}
_NAMES: dict[str, str] = {word: spec.name for spec in COMMANDS for word in (spec.name, *spec.aliases)}
