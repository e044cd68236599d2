"""A paper author or an LLM writes every string hostile: no platform's message pings or hides a link.

Each renderer (Slack Block Kit, Discord content and embeds, the console's plain text) gets a paper
whose every text field, and an explanation whose text, model and source line, carry mass pings,
mentions and disguised links. Every string of every message must come out defanged, and the
only live links left are Paperboy's own links to arxiv.org.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

import pytest

from adapters.console import render as plaintext
from adapters.discord import render as discord_render
from adapters.slack import blocks as slack_blocks
from bot.domain.channel import ChannelRef
from bot.domain.digest import Digest, DigestItem, ExplanationText, MatchReason
from bot.domain.paper import Paper
from bot.domain.replies import Answer, PaperCard

HOSTILE = (
    "@everyone <!channel> <@U024BE7LH> <@&42> "
    "[Download the code](https://evil.example/login) [x]( https://evil.example/a) "
    '[x](https://evil.example/b "t") [[nested]](https://evil.example/c) '
    "[two\nlines](https://evil.example/d) <https://evil.example/e|https://arxiv.org>"
)
PAPER = Paper(
    arxiv_id="2611.00001",
    version=1,
    title=f"A title {HOSTILE}",
    authors=(f"A. Author {HOSTILE}", "B. @here"),
    abstract=f"Abstract. {HOSTILE}",
    categories=("cs.LG", f"cs.XX {HOSTILE}"),
    primary_category="cs.LG",
    published=datetime(2026, 11, 23, tzinfo=UTC),
    updated=datetime(2026, 11, 23, tzinfo=UTC),
    comment=HOSTILE,
)
EXPLANATION = ExplanationText(
    text=f"*Problem.* {HOSTILE}",
    model=f"openai/gpt {HOSTILE}",
    source=f"full text (arXiv HTML: 1 Intro, [Download the code](https://evil.example/login)) {HOSTILE}",
)
ITEM = DigestItem(1, PAPER, (MatchReason("convergence", ("converge",)),), 1.0, EXPLANATION)
# An item the channel's learned ranking added: its reason names a liked paper's (hostile) title.
LEARNED = DigestItem(2, PAPER, (MatchReason(f"like {PAPER.title}", (), learned=True),), 0.8, EXPLANATION)
DIGEST = Digest(ChannelRef("slack", "T1", "C1"), date(2026, 11, 23), ("convergence",), (ITEM, LEARNED))
REPLIES = [PaperCard(PAPER, EXPLANATION), Answer(PAPER, f"why? {HOSTILE}", EXPLANATION), DIGEST]

PING = re.compile(r"(?<!\u200b)@(everyone|here|channel)\b|<[!@#][^<>\n]*>", re.IGNORECASE)
# Discord's Markdown link, as simple-markdown (the parser Discord's client builds on) defines it:
# LINK_INSIDE and LINK_HREF_AND_TITLE from simple-markdown's source, unanchored here.
DISCORD_LINK = re.compile(
    r"\[((?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*)\]\(\s*<?((?:\([^)]*\)|[^\s\\]|\\.)*?)>?"
    r"(?:\s+['\"]([\s\S]*?)['\"])?\s*\)"
)
SLACK_LINK = re.compile(r"<([^<>|]+)\|[^<>]*>")
OURS = "https://arxiv.org/"


def strings(value: Any) -> Iterator[str]:
    """Every string inside a rendered message."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def slack_texts() -> Iterator[str]:
    messages = [m for reply in REPLIES for m in slack_blocks.render_reply(reply)]
    messages += slack_blocks.digest_header_messages(DIGEST)
    messages += [slack_blocks.digest_item_message(ITEM, run_id="r1")]
    messages += slack_blocks.item_thread_messages(PAPER, EXPLANATION)
    for message in messages:
        yield from strings([message.text, json.loads(json.dumps(message.blocks))])


def discord_texts() -> Iterator[str]:
    outgoing = [o for reply in REPLIES for o in discord_render.render_reply(reply)]
    outgoing += discord_render.render_digest(DIGEST)
    for message in outgoing:
        yield message.content
        for embed in message.embeds:
            yield from strings(embed.to_dict())
    yield discord_render.digest_item_text(ITEM)
    yield discord_render.explanation_text(PAPER, EXPLANATION)
    yield from strings(discord_render.paper_embed(PAPER, position=1, why=ITEM.why).to_dict())


def console_texts() -> Iterator[str]:
    for reply in REPLIES:
        yield plaintext.render_reply(reply)


@pytest.mark.parametrize(
    "texts", [slack_texts, discord_texts, console_texts], ids=["slack", "discord", "console"]
)
def test_no_string_of_any_message_pings_anyone(texts: Any) -> None:
    rendered = list(texts())
    assert rendered
    for text in rendered:
        assert not PING.search(text), text


def test_every_discord_link_left_is_our_own_link_to_arxiv() -> None:
    for text in discord_texts():
        for match in DISCORD_LINK.finditer(text):
            assert match.group(2).startswith(OURS), match.group(0)


def test_every_slack_link_left_is_our_own_link_to_arxiv() -> None:
    for text in slack_texts():
        for match in SLACK_LINK.finditer(text):
            assert match.group(1).startswith(OURS), match.group(0)


def test_the_real_targets_stay_visible_to_readers() -> None:
    shown = "\n".join(discord_texts())
    assert "Download the code (https://evil.example/login)" in shown
    assert "https://evil.example/d" in shown


def test_the_fixture_is_really_hostile() -> None:
    raw = json.dumps(asdict(ITEM), default=str)
    assert PING.search(raw)
    assert any(not m.group(2).startswith(OURS) for m in DISCORD_LINK.finditer(HOSTILE))


def test_an_item_the_learned_ranking_added_says_why_on_every_platform() -> None:
    slack = json.dumps(slack_blocks.item_blocks(LEARNED))
    assert "_Why:_ like A title" in slack and "_Matched:_" not in slack
    embed = discord_render.paper_embed(PAPER, why=LEARNED.why, why_label="Why")
    (field,) = [f for f in embed.fields if f.name in {"Why", "Matched"}]
    assert (field.name, str(field.value).startswith("like A title")) == ("Why", True)
    assert "  • Why: like A title" in plaintext.render_digest_item(LEARNED)
    assert "  • Matched: convergence (converge)" in plaintext.render_digest_item(ITEM)
