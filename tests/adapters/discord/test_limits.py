"""Splitting and packing: whatever the core hands over, Discord gets messages within its limits."""

from __future__ import annotations

import discord

from adapters.discord.limits import (
    CONTENT_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    clip,
    fit_embed,
    pack,
    split_text,
    text_embeds,
)


def test_long_text_is_split_at_word_ends_and_nothing_is_lost() -> None:
    text = "\n\n".join(f"Paragraph {n}. " + "word " * 300 for n in range(8))
    pieces = split_text(text, CONTENT_LIMIT)
    assert len(pieces) > 1
    assert all(len(piece) <= CONTENT_LIMIT for piece in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    assert all(not piece.endswith("wor") for piece in pieces)  # no word cut in half


def test_text_without_spaces_is_cut_hard() -> None:
    pieces = split_text("x" * 4500, CONTENT_LIMIT)
    assert [len(p) for p in pieces] == [2000, 2000, 500]


def test_embeds_are_spread_over_messages_by_count_and_total_size() -> None:
    small = [discord.Embed(title=f"paper {n}", description="short") for n in range(23)]
    assert [len(m.embeds) for m in pack(embeds=small)] == [EMBEDS_PER_MESSAGE, EMBEDS_PER_MESSAGE, 3]

    big = [e for n in range(5) for e in text_embeds("a " * 2040, title=f"long {n}")]
    messages = pack("header " * 500, big)
    assert all(len(m.content) <= CONTENT_LIMIT for m in messages)
    assert all(sum(len(e) for e in m.embeds) <= EMBED_TOTAL_LIMIT for m in messages)
    assert sum(len(m.embeds) for m in messages) == len(big)


def test_an_oversized_embed_is_clipped_part_by_part() -> None:
    embed = discord.Embed(title="t" * 300, description="d" * 5000)
    for n in range(30):
        embed.add_field(name=f"field {n}", value="v" * 2000)
    fit_embed(embed)
    assert len(embed.title or "") == 256 and (embed.title or "").endswith("…")
    assert all(len(f.value or "") <= 1024 for f in embed.fields)
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert embed.fields and embed.fields[0].name == "field 0"  # the first fields are kept


def test_clip_keeps_short_text_as_it_is() -> None:
    assert clip("short", 10) == "short"
    assert clip("exactly ten", 11) == "exactly ten"
    assert clip("a little longer", 10) == "a little…"
