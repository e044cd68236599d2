"""Slack's limits: a digest of ten papers with very long abstracts, titles and author lists."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from adapters.slack.mrkdwn import escape
from tests.adapters.slack.conftest import CHANNEL, SlackBot
from tests.adapters.slack.test_digest import command, texts
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.slack_rules import MAX_BLOCKS_TEXT, blocks_text_size
from tests.fakes.slack_server import FakeSlack
from tests.fixtures.seed_papers import digest_seed_papers


@pytest.fixture
def llm_settings() -> dict[str, Any]:
    """No LLM configured (the abstract-only explainer): every item's thread carries its (long) abstract."""
    return {}


def long_papers() -> list[Any]:
    """Ten papers about zeppelins with very long abstracts, titles and author lists."""
    template = digest_seed_papers()[0]
    papers = []
    for n in range(10):
        words = " ".join(f"zeppelin{n}-word{i} <&> converges" for i in range(1_500))  # ~40,000 chars
        papers.append(
            dataclasses.replace(
                template,
                arxiv_id=f"2602.{80000 + n}",
                title=f"Zeppelin dynamics part {n}: " + "a very long title " * 40,
                abstract=("Zeppelins. " + words * (5 if n == 0 else 1)),
                authors=tuple(f"Author Number{i}" for i in range(3_000 if n == 1 else 5)),
                categories=("cs.LG",),
                primary_category="cs.LG",
            )
        )
    return papers


def assert_within_slack_limits(payload: dict[str, Any]) -> None:
    """What Slack would reject: too many blocks, texts over their caps, or too much text in all."""
    blocks = payload["blocks"]
    assert 0 < len(blocks) <= 50
    assert blocks_text_size(blocks) <= MAX_BLOCKS_TEXT
    assert 0 < len(payload["text"]) <= 40_000
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= 3_000
            assert len(block.get("fields", [])) <= 10
        if block["type"] == "context":
            assert len(block["elements"]) <= 10
            assert all(len(e["text"]) <= 3_000 for e in block["elements"])
        if block["type"] == "actions":
            for button in block["elements"]:
                assert len(button["text"]["text"]) <= 75
                assert len(button["action_id"]) <= 255 and len(button["value"]) <= 2_000


async def test_ten_papers_with_long_abstracts_stay_within_slacks_limits(
    slack: FakeSlack, bot: SlackBot, fake_arxiv: FakeArxiv
) -> None:
    papers = long_papers()
    fake_arxiv.set_papers(papers)
    await command(slack, bot, "subscribe zeppelins")
    await command(slack, bot, "digest")

    posts = slack.posts(CHANNEL)
    assert slack.refused() == []
    for payload in posts:
        assert_within_slack_limits(payload)
    items = [p for p in posts if p.get("metadata") and "thread_ts" not in p]
    assert len(items) == 10
    # The longest abstract (200,000 characters) needed more than one message in its thread...
    first_thread = [p for p in posts if p.get("thread_ts") == items[0]["ts"]]
    assert len(first_thread) > 1
    # ...and not a word of it was lost in the cutting.
    sections = [b["text"]["text"] for p in first_thread for b in p["blocks"] if b["type"] == "section"]
    assert sections[0] == "*Abstract*"
    assert " ".join(sections[1:]).split() == escape(papers[0].abstract).split()
    # 3,000 authors are summed up, not listed.
    assert "Author Number11 and 2,988 more" in texts(items[1]["blocks"])
