"""Commands as typed values: what every adapter hands the engine, however the person asked.

Text adapters (console, Slack) parse what was typed with `bot.domain.command_parser`; Discord
builds the same values from its typed options. What could not be read is a `NotUnderstood`
value, answered like any other command, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from bot.domain.quality import Quality
from bot.domain.schedule import Cadence


@dataclass(frozen=True, slots=True)
class ShowHelp:
    """`help`: the list of commands."""


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    """What someone typed that is no command we can run: `why` says what was wrong and what is right.

    `show_help` adds the list of commands (an unknown word, a missing argument); `managing`
    marks an attempt to change the channel, so a person who may not is told that first.
    """

    why: str
    show_help: bool = True
    managing: bool = False


@dataclass(frozen=True, slots=True)
class Subscribe:
    """`subscribe <topic>`."""

    topic: str


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    """`unsubscribe <topic | number>`."""

    topic_or_number: str


@dataclass(frozen=True, slots=True)
class Mute:
    """`mute <word | au:Name | cat:category>`: never show this channel papers with it."""

    term: str


@dataclass(frozen=True, slots=True)
class MuteChoices:
    """The "Mute…" action on a digest item: what of this paper the channel could mute."""

    paper: str


@dataclass(frozen=True, slots=True)
class Unmute:
    """`unmute <term | number>`."""

    term: str


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
    """`explain <arXiv id or URL>`; `from_item`: opened on a digest item, which counts as a weak 👍."""

    paper: str
    from_item: bool = False


@dataclass(frozen=True, slots=True)
class Ask:
    """`ask <arXiv id> <question>`; `from_item`: asked in a digest item's thread (a weak 👍)."""

    paper: str
    question: str
    from_item: bool = False


@dataclass(frozen=True, slots=True)
class ShowSchedule:
    """`schedule` alone: when digests arrive here."""


@dataclass(frozen=True, slots=True)
class SetSchedule:
    """`schedule <HH:MM> [time zone] [cadence]`; what is not given stays as it is."""

    at: time
    timezone: str | None = None
    cadence: Cadence | None = None


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
class Vote:
    """`like <id>` / `dislike <id>`, or a 👍/👎 button or reaction: one member's changeable vote."""

    paper: str
    up: bool


@dataclass(frozen=True, slots=True)
class ShowSettings:
    """`settings`."""


@dataclass(frozen=True, slots=True)
class SetMaxPapers:
    """`settings max <n>`: how many papers a digest holds at most (1 to MAX_PAPERS_LIMIT)."""

    value: int


@dataclass(frozen=True, slots=True)
class SetQuality:
    """`settings quality high|normal|0.7`: how choosy the channel's learned ranking is."""

    quality: Quality


Command = (
    ShowHelp
    | NotUnderstood
    | Subscribe
    | Unsubscribe
    | Mute
    | MuteChoices
    | Unmute
    | ListTopics
    | PostDigest
    | PostMore
    | Preview
    | Explain
    | Ask
    | ShowSchedule
    | SetSchedule
    | Pause
    | Resume
    | ShowSettings
    | SetMaxPapers
    | SetQuality
    | MarkNotRelevant
    | Vote
)

MAX_PAPERS_LIMIT = 50


def max_papers_complaint(shown: str) -> str:
    """What to say when `shown` is no digest cap, with an example of one that is."""
    limit = MAX_PAPERS_LIMIT
    return f"`{shown[:20]}` is not a number of papers from 1 to {limit}; for example `settings max 15`."
