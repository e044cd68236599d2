"""Discord's message limits, kept by splitting text and spreading embeds over messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_PER_EMBED = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
# Title, description, field names and values, footer and author of all of a message's embeds together.
EMBED_TOTAL_LIMIT = 6000
ELLIPSIS = "…"


@dataclass
class Outgoing:
    """One Discord message to send: content, embeds, or both."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)


def clip(text: str, limit: int) -> str:
    """The text cut to `limit` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, line or word ends where possible."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit  # no good break near the end: cut hard rather than make tiny pieces
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def text_embeds(text: str, *, title: str = "", colour: discord.Colour | None = None) -> list[discord.Embed]:
    """Long text as embeds of at most one description each; only the first carries the title."""
    embeds = []
    for n, piece in enumerate(split_text(text, DESCRIPTION_LIMIT) or [""]):
        embed = discord.Embed(description=piece, colour=colour)
        if n == 0 and title:
            embed.title = clip(title, TITLE_LIMIT)
        embeds.append(embed)
    return embeds


def pack(content: str = "", embeds: Sequence[discord.Embed] = ()) -> list[Outgoing]:
    """Messages that carry all of `content` and `embeds` within Discord's limits, in order."""
    messages = [Outgoing(content=piece) for piece in split_text(content, CONTENT_LIMIT)]
    current: Outgoing | None = messages[-1] if messages else None
    for embed in embeds:
        fit_embed(embed)
        size = len(embed)
        if (
            current is None
            or len(current.embeds) >= EMBEDS_PER_MESSAGE
            or sum(len(e) for e in current.embeds) + size > EMBED_TOTAL_LIMIT
        ):
            current = Outgoing()
            messages.append(current)
        current.embeds.append(embed)
    return messages


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Clip every part of an embed to its own limit and the whole to the per-message total."""
    if embed.title:
        embed.title = clip(embed.title, TITLE_LIMIT)
    if embed.description:
        embed.description = clip(embed.description, DESCRIPTION_LIMIT)
    fields = embed.fields[:FIELDS_PER_EMBED]
    embed.clear_fields()
    for item in fields:
        embed.add_field(
            name=clip(item.name or "\u200b", FIELD_NAME_LIMIT),
            value=clip(item.value or "\u200b", FIELD_VALUE_LIMIT),
            inline=bool(item.inline),
        )
    if embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER_LIMIT))
    excess = len(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description:
        embed.description = clip(embed.description, max(1, len(embed.description) - excess))
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)  # only embeds built wrongly get here
    return embed
