"""Slack's text rules in one place: escaping paper text for mrkdwn and cutting it to Slack's limits."""

from __future__ import annotations

import re
from typing import Any

from bot.rendering.sanitize import sanitize_text

MAX_BLOCKS = 50
# chat.postMessage refuses a message whose blocks hold more than about 12,000 characters in all
# (`msg_blocks_too_long`, undocumented; slackapi/bolt-js#2509 and #2867 saw the cut between 11,341
# and 13,297 characters depending on the blocks). Counted as every string in the blocks, with room.
MAX_MESSAGE_BLOCKS_TEXT = 10_000
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_MESSAGE_TEXT = 40_000
MAX_BUTTON_TEXT = 75
MAX_CONTEXT_ELEMENTS = 10
ELLIPSIS = "…"

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ESCAPABLE = re.compile(r"[&<>]")


def blocks_text_size(value: Any) -> int:
    """Characters of every string in some blocks (texts, links, ids, types): what the total cap counts."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(blocks_text_size(item) for item in value.values())
    if isinstance(value, list):
        return sum(blocks_text_size(item) for item in value)
    return 0


def escape(text: str) -> str:
    """Slack's three control characters as entities, so `<` can open no link or mention."""
    return _ESCAPABLE.sub(lambda m: _ESCAPES[m.group(0)], text)


def safe(text: str) -> str:
    """Outside text (papers, LLM answers, what people typed) made harmless for mrkdwn."""
    return escape(sanitize_text(text))


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when something was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


def split_safe(raw: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Outside text, sanitized and escaped, in pieces of at most `limit` escaped characters.

    Cuts fall between paragraphs, then lines, then words; a word longer than a piece is cut
    inside, but never inside an entity, since the cutting happens before escaping.
    """
    pieces: list[str] = []
    current, size = "", 0  # size: len(escape(current)), kept as we go
    for token in re.split(r"(\s+)", sanitize_text(raw)):
        if not token:
            continue
        token_size = _escaped_len(token)
        if size + token_size <= limit:
            current, size = current + token, size + token_size
            continue
        if current.strip():
            pieces.append(escape(current.strip()))
        current, size = ("", 0) if token.isspace() else (token, token_size)
        while size > limit:
            cut = _longest_prefix(current, limit)
            pieces.append(escape(current[:cut]))
            current = current[cut:]
            size = _escaped_len(current)
    if current.strip():
        pieces.append(escape(current.strip()))
    return pieces


def _escaped_len(text: str) -> int:
    return len(text) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">"))


def _longest_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` once escaped (at least one)."""
    size = 0
    for index, char in enumerate(text):
        size += len(_ESCAPES.get(char, char))
        if size > limit:
            return max(1, index)
    return len(text)


def pack_lines(lines: list[str], limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Join already-escaped lines into as few texts of at most `limit` characters as possible."""
    texts: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        joined = f"{current}\n{line}" if current else line
        if len(joined) <= limit:
            current = joined
        else:
            texts.append(current)
            current = line
    if current:
        texts.append(current)
    return texts
