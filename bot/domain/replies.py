"""What the core answers: neutral values that each adapter renders in its own way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.audience import Audience
from bot.domain.command_specs import CommandSpec, success_audience
from bot.domain.commands import Command
from bot.domain.digest import Digest, ExplanationText
from bot.domain.mute_choices import MuteChoice
from bot.domain.paper import Paper
from bot.domain.quality import NORMAL, Quality
from bot.domain.schedule import Schedule
from bot.domain.votes import RankingStatus, VoteFigures


class Tone(StrEnum):
    """How a notice should look: adapters pick an emoji or colour from it."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Notice:
    """A short message: confirmations, friendly errors, empty results."""

    text: str
    tone: Tone = Tone.INFO


@dataclass(frozen=True, slots=True)
class Help:
    """The list of commands, with an optional lead line (why help is shown)."""

    commands: tuple[CommandSpec, ...]
    lead: str = ""


@dataclass(frozen=True, slots=True)
class TopicEntry:
    """A subscription as the channel sees it."""

    number: int
    topic: str
    added_by: str
    added_at: datetime
    note: str = ""  # what a `like:` or `~` topic follows, readably: `papers like "Title" (2602.10905)`


@dataclass(frozen=True, slots=True)
class TopicList:
    """The channel's subscriptions, numbered so `unsubscribe 2` works, and what it has muted."""

    topics: tuple[TopicEntry, ...]
    mutes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PaperCard:
    """One paper with its explanation (or the abstract and a note), for `explain`."""

    paper: Paper
    explanation: ExplanationText


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer to a question about a paper."""

    paper: Paper
    question: str
    explanation: ExplanationText


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """A channel's configuration, for `settings`."""

    channel_label: str
    schedule: Schedule
    max_papers: int
    paused: bool
    topic_count: int
    last_digest: datetime | None
    next_digest: datetime | None
    votes: VoteFigures | None = None  # how the channel's ranking is doing, from its members' votes
    mutes: tuple[str, ...] = ()  # muted words, authors and categories, as stored
    quality: Quality = NORMAL  # `settings quality`
    ranking: RankingStatus | None = None  # what the channel's model learned from

    @property
    def ranking_line(self) -> str:
        """How the channel's ranking is doing: its 👍 share, what it learned from, its quality."""
        parts = [self.votes.describe()] if self.votes is not None else []
        if self.ranking is not None:
            parts.append(self.ranking.describe())
        parts.append(f"quality {self.quality.text}")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class MuteOffer:
    """What a digest item offers to mute here; each choice is the exact text `mute` takes."""

    paper: Paper
    choices: tuple[MuteChoice, ...]


@dataclass(frozen=True, slots=True)
class DigestPosted:
    """A digest went to the channel through its publisher: what was posted, for the one who asked."""

    digest: Digest
    posted: int


Reply = Notice | Help | TopicList | PaperCard | Answer | ChannelSettings | Digest | DigestPosted | MuteOffer


@dataclass(frozen=True, slots=True)
class Outcome:
    """The engine's answer to a command, and who should see it (the same on every platform)."""

    reply: Reply
    audience: Audience


def is_problem(reply: Reply) -> bool:
    """An error or a warning: something the person who asked must put right or wait out."""
    return isinstance(reply, Notice) and reply.tone in (Tone.ERROR, Tone.WARNING)


def audience_for(command: Command, reply: Reply, *, asked_in_channel: bool = False) -> Audience:
    """Errors, refusals and what could not be read go to the person; the rest as the command list says."""
    if is_problem(reply):
        return Audience.PERSON
    return success_audience(command, asked_in_channel=asked_in_channel)
