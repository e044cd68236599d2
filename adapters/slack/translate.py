"""Slack payloads to core values: where a command came from, who sent it, and what it asks."""

from __future__ import annotations

import re

from adapters.slack.buttons import (
    EXPLAIN_ACTION,
    MUTE_CHOICES_ACTION,
    MUTE_TERM_ACTION,
    NOT_RELEVANT_ACTION,
    VOTE_DOWN_ACTION,
    VOTE_UP_ACTION,
)
from adapters.slack.mrkdwn import clip, safe
from bot.domain.channel import ChannelRef
from bot.domain.command_parser import parse_command
from bot.domain.commands import (
    Ask,
    Command,
    Explain,
    MarkNotRelevant,
    Mute,
    MuteChoices,
    NotUnderstood,
    PostDigest,
    PostMore,
    Preview,
    ShowHelp,
    Vote,
)
from bot.domain.ids import find_arxiv_ids

PLATFORM = "slack"
_LINK = re.compile(r"<((?:https?|mailto|ftp):[^|<>]+)(?:\|[^<>]*)?>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}


def channel_ref(team_id: str, channel_id: str, channel_name: str = "") -> ChannelRef:
    """A Slack channel as the core knows it."""
    return ChannelRef(PLATFORM, team_id, channel_id, channel_name)


def incoming_text(text: str) -> str:
    """What the person typed: Slack's `<https://...|label>` links unwrapped and entities decoded."""
    text = _LINK.sub(lambda m: m.group(1), text)
    return re.sub(r"&(?:lt|gt|amp);", lambda m: _ENTITIES[m.group(0)], text)


def strip_mention(text: str, bot_user_id: str) -> str:
    """The text of a mention without the `<@Ubot>` that addressed us."""
    if not bot_user_id:
        return re.sub(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>", "", text)
    return re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", "", text)


def mentions(text: str, bot_user_id: str) -> bool:
    """True when the message addresses the bot (the app_mention handler answers it then)."""
    return bool(bot_user_id) and f"<@{bot_user_id}" in text


def slash_command(name: str, text: str) -> Command:
    """`/explain <id>` or `/paper <subcommand ...>` as a command."""
    said = incoming_text(text).strip()
    if name.lstrip("/").lower() == "explain":
        if not said:
            return NotUnderstood("Which paper? For example `/explain 2602.10905`.")
        return Explain(said)
    return parse_command(said)


def mention_command(text: str, bot_user_id: str, thread_paper: str | None = None) -> Command:
    """`@Paperboy explain <id>`, a bare arXiv link, or (in a paper's thread) a question about it."""
    said = incoming_text(strip_mention(text, bot_user_id)).strip()
    command = parse_command(said)
    if thread_paper is not None:  # in an item's thread: a look at the item, a weak 👍
        if not said or (isinstance(command, NotUnderstood) and said.lower().startswith("explain")):
            return Explain(thread_paper, from_item=True)
        if _answered_with_help(command) and said.lower() not in {"help", "?"}:
            return Ask(thread_paper, said, from_item=True)
        return command
    if isinstance(command, NotUnderstood) and command.show_help:
        found = find_arxiv_ids(said)
        if found:
            return Explain(found[0].base)
    return command


def _answered_with_help(command: Command) -> bool:
    """`help`, or words that are no command (in a paper's thread, those are a question about it)."""
    return isinstance(command, ShowHelp) or (isinstance(command, NotUnderstood) and command.show_help)


def thread_question(text: str, thread_paper: str) -> Ask | None:
    """A reply in a paper's thread that asks something (it has a question mark) becomes `ask`."""
    said = incoming_text(text).strip()
    if "?" not in said:
        return None
    return Ask(thread_paper, said, from_item=True)


def action_command(action_id: str, value: str) -> Command | None:
    """A digest item's button (or mute menu choice) as a command; None for buttons that are not ours."""
    name, _, arxiv_id = action_id.partition(":")
    if name == MUTE_TERM_ACTION:  # the value is the chosen mute, as `mute` takes it
        return Mute(value) if value else None
    arxiv_id = arxiv_id or value
    if name == EXPLAIN_ACTION:
        return Explain(arxiv_id, from_item=True)
    if name == NOT_RELEVANT_ACTION:
        return MarkNotRelevant(arxiv_id)
    if name == MUTE_CHOICES_ACTION:
        return MuteChoices(arxiv_id)
    if name in (VOTE_UP_ACTION, VOTE_DOWN_ACTION):
        return Vote(arxiv_id, up=name == VOTE_UP_ACTION)
    return None


def progress_note(command: Command) -> str | None:
    """What to acknowledge a slow command with; None for commands answered at once."""
    match command:
        case Explain(paper=paper):
            return f"Reading {safe(clip(paper, 80))}..."
        case Ask(paper=paper):
            return f"Reading {safe(clip(paper, 80))} to answer your question..."
        case PostDigest():
            return "Building the digest..."
        case PostMore():
            return "Finding more papers..."
        case Preview():
            return "Building a preview of the next digest..."
        case _:
            return None
