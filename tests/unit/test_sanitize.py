"""Text from papers and LLMs cannot ping a channel or hide where a link goes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rendering.sanitize import sanitize_text

PINGS = re.compile(r"@(everyone|here|channel)\b|<[!@#][^<>\n]*>", re.IGNORECASE)


@pytest.mark.parametrize(
    "hostile",
    [
        "Hello @everyone, read this",
        "@here now",
        "@Channel!",
        "<!channel> wake up",
        "<!here|here>",
        "<!subteam^S123|@team>",
        "<@U024BE7LH> and <#C024BE7LH|general>",
        "Discord <@123456789> <@!123> <@&42> <#99>",
    ],
)
def test_mentions_and_mass_pings_are_defanged(hostile: str) -> None:
    assert not PINGS.search(sanitize_text(hostile))


def test_the_words_stay_readable() -> None:
    assert sanitize_text("ping @everyone now").replace("\u200b", "") == "ping @everyone now"


@pytest.mark.parametrize(
    ("disguised", "shown"),
    [
        ("[arxiv.org/abs/1](https://evil.example/x)", "arxiv.org/abs/1 (https://evil.example/x)"),
        ("<https://evil.example|https://arxiv.org>", "https://arxiv.org (https://evil.example)"),
        ("[https://arxiv.org](https://arxiv.org)", "https://arxiv.org"),
        ("[x]( https://evil.example)", "x (https://evil.example)"),
        ('[x](https://evil.example "a title")', "x (https://evil.example)"),
        ("[a [b] c](https://evil.example)", "a [b] c (https://evil.example)"),
        ("[two\nlines](https://evil.example)", "two lines (https://evil.example)"),
        ("[x](<https://evil.example>)", "x (https://evil.example)"),
    ],
)
def test_a_link_always_shows_its_real_target(disguised: str, shown: str) -> None:
    assert sanitize_text(disguised) == shown


@given(st.text(alphabet=st.sampled_from(list("<>!@#|[]()hereveryonchal :/x.")), max_size=80))
def test_no_input_leaves_a_ping_behind(text: str) -> None:
    assert not PINGS.search(sanitize_text(text))


# Discord's Markdown link (simple-markdown's LINK_INSIDE and LINK_HREF_AND_TITLE), found anywhere.
DISCORD_LINK = re.compile(
    r"\[((?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*)\]\(\s*<?((?:\([^)]*\)|[^\s\\]|\\.)*?)>?"
    r"(?:\s+['\"]([\s\S]*?)['\"])?\s*\)"
)


@given(st.text(alphabet=st.sampled_from(list("[]()<> \n\"'xhtps:/.e")), max_size=60))
def test_no_input_leaves_a_live_markdown_link(text: str) -> None:
    assert not DISCORD_LINK.search(sanitize_text(text))


def test_brackets_and_parentheses_of_ordinary_prose_stay_as_written() -> None:
    prose = "See [12] (Smith, 2020) and f(x) = [a, b]."
    assert sanitize_text(prose) == prose
