"""Commands as values, and the one parser that turns typed text into them.

Adapters may build commands directly from platform options (Discord) or pass the typed
text through `parse_command` (console, Slack); either way the core sees the same values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.replies import CommandHelp

MAX_COMMAND_LENGTH = 4000
# Bytes that were not UTF-8 arrive as lone surrogates (surrogateescape); no database can store them.
_SURROGATES = re.compile("[\ud800-\udfff]")
UNREADABLE_TEXT = (
    "That line holds bytes that are not UTF-8 text, so I can't read it. "
    "Type it again as plain text, e.g. `subscribe convergence`."
)


@dataclass(frozen=True, slots=True)
class ShowHelp:
    """`help`, or anything we could not understand (with `lead` saying why)."""

    lead: str = ""


@dataclass(frozen=True, slots=True)
class Subscribe:
    """`subscribe <topic>`."""

    topic: str


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    """`unsubscribe <topic | number>`."""

    topic_or_number: str


@dataclass(frozen=True, slots=True)
class ListTopics:
    """`topics`."""


@dataclass(frozen=True, slots=True)
class PostDigest:
    """`digest`: build and post the digest now."""


@dataclass(frozen=True, slots=True)
class PostMore:
    """`more`: post the next papers of recent listings that matched, beyond the digest's cap."""


@dataclass(frozen=True, slots=True)
class Preview:
    """`preview`: what the next digest would hold, recording nothing."""


@dataclass(frozen=True, slots=True)
class Explain:
    """`explain <arXiv id or URL>`."""

    paper: str


@dataclass(frozen=True, slots=True)
class Ask:
    """`ask <arXiv id> <question>`."""

    paper: str
    question: str


@dataclass(frozen=True, slots=True)
class SetSchedule:
    """`schedule <HH:MM> [time zone] [daily | weekdays | mon,wed,fri]`."""

    args: str


@dataclass(frozen=True, slots=True)
class Pause:
    """`pause`: no scheduled digests until `resume`."""


@dataclass(frozen=True, slots=True)
class Resume:
    """`resume`."""


@dataclass(frozen=True, slots=True)
class MarkNotRelevant:
    """The "Not relevant" button on a digest item: recorded per channel for later ranking."""

    paper: str


@dataclass(frozen=True, slots=True)
class ShowSettings:
    """`settings`."""


@dataclass(frozen=True, slots=True)
class SetMaxPapers:
    """`settings max <n>`: how many papers a digest holds at most."""

    value: str


Command = (
    ShowHelp
    | Subscribe
    | Unsubscribe
    | ListTopics
    | PostDigest
    | PostMore
    | Preview
    | Explain
    | Ask
    | SetSchedule
    | Pause
    | Resume
    | ShowSettings
    | SetMaxPapers
    | MarkNotRelevant
)

# Commands that change what or when a channel receives: adapters check permissions for these.
MANAGING_COMMANDS = (Subscribe, Unsubscribe, SetSchedule, Pause, Resume, SetMaxPapers)

COMMAND_HELP: tuple[CommandHelp, ...] = (
    CommandHelp(
        "subscribe <topic>",
        "follow a topic in this channel",
        'subscribe "diffusion model" AND cat:cs.LG',
    ),
    CommandHelp("unsubscribe <topic | number>", "stop following a topic", "unsubscribe 2"),
    CommandHelp("topics", "list this channel's topics", "topics"),
    CommandHelp("digest", "post the digest now", "digest"),
    CommandHelp("more", "post the next papers that matched, beyond the digest's papers", "more"),
    CommandHelp("preview", "show what the next digest would hold", "preview"),
    CommandHelp("explain <arXiv id or URL>", "explain a paper and its mathematics", "explain 2602.10905"),
    CommandHelp(
        "ask <arXiv id> <question>",
        "ask a question about a paper",
        "ask 2602.10905 what is the Fisher surrogate?",
    ),
    CommandHelp(
        "schedule <HH:MM> [time zone] [daily | weekdays | mon,wed,fri]",
        "when the daily digest arrives",
        "schedule 09:00 Europe/Berlin weekdays",
    ),
    CommandHelp("pause", "stop scheduled digests", "pause"),
    CommandHelp("resume", "restart scheduled digests", "resume"),
    CommandHelp(
        "settings [max <1-50>]",
        "show this channel's settings, or set the papers per digest",
        "settings max 15",
    ),
    CommandHelp("help", "show this list", "help"),
)

TOPIC_SYNTAX_HELP = (
    'Topics: words and "quoted phrases" (any inflection), cat:cs.LG or cat:math.*, au:Name, '
    "ti: and abs: fields, AND, OR, NOT or -word, and parentheses."
)


def parse_command(text: str) -> Command:
    """Turn what someone typed (with or without a leading slash or `paper`) into a command."""
    text = text.strip()
    if _SURROGATES.search(text):
        return ShowHelp(lead=UNREADABLE_TEXT)
    if len(text) > MAX_COMMAND_LENGTH:
        return ShowHelp(lead=f"That message is too long ({len(text):,} characters); commands are short.")
    text = text.removeprefix("/").strip()
    verb, _, rest = text.partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb == "paper" and rest:
        return parse_command(rest)
    if verb in {"", "help", "?", "paper"}:
        return ShowHelp()
    simple: dict[str, Command] = {
        "topics": ListTopics(),
        "list": ListTopics(),
        "digest": PostDigest(),
        "more": PostMore(),
        "preview": Preview(),
        "pause": Pause(),
        "resume": Resume(),
        "settings": ShowSettings(),
    }
    if verb == "settings" and rest:
        option, _, value = rest.partition(" ")
        if option.lower() in {"max", "max-papers", "max_papers", "cap"}:
            return SetMaxPapers(value.strip())
        return ShowHelp(
            lead="`settings` shows this channel's settings; `settings max 15` sets the papers per digest."
        )
    if verb in simple:
        return simple[verb]
    if verb in {"subscribe", "sub", "follow"}:
        if not rest:
            return ShowHelp(lead="Which topic? For example `subscribe convergence`.")
        return Subscribe(rest)
    if verb in {"unsubscribe", "unsub", "unfollow"}:
        if not rest:
            return ShowHelp(
                lead="Which topic? Give its text or its number from `topics`, e.g. `unsubscribe 2`."
            )
        return Unsubscribe(rest)
    if verb == "explain":
        if not rest:
            return ShowHelp(lead="Which paper? For example `explain 2602.10905`.")
        return Explain(rest)
    if verb == "ask":
        paper, _, question = rest.partition(" ")
        if not paper or not question.strip():
            return ShowHelp(
                lead="Ask about a paper like this: `ask 2602.10905 what does the main theorem say?`"
            )
        return Ask(paper, question.strip())
    if verb == "schedule":
        return SetSchedule(rest)
    shown = verb if len(verb) <= 40 else verb[:40] + "…"
    return ShowHelp(lead=f"I don't know the command `{shown}`.")
