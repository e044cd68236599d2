"""Slack's undocumented cap on a message's total block text: previews and digests of 20 and 50 papers
with long titles, author lists and abstracts go out in messages Slack accepts, nothing lost."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from adapters.slack.mrkdwn import escape
from bot.domain.paper import Paper
from tests.adapters.slack.conftest import CHANNEL, SlackBot
from tests.adapters.slack.test_digest import command, texts
from tests.adapters.slack.test_digest_limits import assert_within_slack_limits
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.slack_rules import blocks_text_size
from tests.fakes.slack_server import FakeSlack
from tests.fixtures.seed_papers import digest_seed_papers

ID = re.compile(r"`arXiv:(2602\.9\d{4})`")


@pytest.fixture
def llm_settings() -> dict[str, Any]:
    """No LLM: every digest item's thread carries its whole (long) abstract."""
    return {}


def airship_papers(count: int) -> list[Paper]:
    """Papers about airships with long titles, fifteen authors and abstracts of about 15,000 characters."""
    template = digest_seed_papers()[0]
    return [
        dataclasses.replace(
            template,
            arxiv_id=f"2602.{90000 + n}",
            title=f"Airship {n}: " + "stability of long rigid airships in gusty crosswinds, " * 4,
            abstract=" ".join(f"Airship{n} sentence {i} on envelopes & gas cells." for i in range(320)),
            authors=tuple(f"Aeronaut Firstname{i} Lastname{n}" for i in range(15)),
            categories=("cs.LG", "physics.flu-dyn", "math.OC", "eess.SY"),
            primary_category="cs.LG",
        )
        for n in range(count)
    ]


def assert_slack_took_everything(slack: FakeSlack) -> list[dict[str, Any]]:
    """No chat.postMessage was refused, and each post is within every limit; returns the posts."""
    assert slack.refused() == []
    assert not any("Slack refused" in text for text in slack.all_text())
    posts = slack.posts(CHANNEL)
    for post in posts:
        assert_within_slack_limits(post)  # the total text cap included
    return posts


@pytest.mark.parametrize("max_papers", [20, 50])
async def test_a_preview_and_a_digest_of_many_long_papers_are_split_so_slack_takes_them(
    slack: FakeSlack, bot: SlackBot, fake_arxiv: FakeArxiv, max_papers: int
) -> None:
    papers = airship_papers(max_papers + 5)
    fake_arxiv.set_papers(papers)
    await command(slack, bot, "subscribe airships")
    await command(slack, bot, f"settings max {max_papers}")

    await command(slack, bot, "preview")
    preview = assert_slack_took_everything(slack)
    assert len(preview) > 1  # too much text for one message
    assert preview[0]["blocks"][0]["type"] == "header"
    assert all(p["text"].endswith("(continued)") for p in preview[1:])
    assert all(p["blocks"][0]["type"] != "divider" for p in preview)
    shown = [found for post in preview for found in ID.findall(texts(post["blocks"]))]
    assert len(shown) == max_papers and len(set(shown)) == max_papers  # every paper once, none cut

    await command(slack, bot, "digest")
    posts = assert_slack_took_everything(slack)[len(preview) :]
    items = [p for p in posts if p.get("metadata") and "thread_ts" not in p]
    assert len(items) == max_papers
    by_id = {paper.arxiv_id: paper for paper in papers}
    for item in items:
        thread = [p for p in posts if p.get("thread_ts") == item["ts"]]
        assert len(thread) == 2  # a 15,000-character abstract needs two messages
        sections = [b["text"]["text"] for p in thread for b in p["blocks"] if b["type"] == "section"]
        abstract = by_id[item["metadata"]["event_payload"]["arxiv_id"]].abstract
        assert sections[0] == "*Abstract*"
        assert " ".join(sections[1:]).split() == escape(abstract).split()


async def test_when_slack_counts_stricter_than_expected_the_message_is_halved_not_lost(
    slack: FakeSlack, bot: SlackBot, fake_arxiv: FakeArxiv
) -> None:
    slack.blocks_text_limit = 4_000  # Slack's cap is undocumented and moves with the kind of blocks
    fake_arxiv.set_papers(airship_papers(20))
    await command(slack, bot, "subscribe airships")
    await command(slack, bot, "settings max 20")

    await command(slack, bot, "preview")

    assert {r["error"] for r in slack.refused()} == {"msg_blocks_too_long"}
    posts = slack.posts(CHANNEL)
    assert all(blocks_text_size(p["blocks"]) <= 4_000 for p in posts)
    shown = [found for post in posts for found in ID.findall(texts(post["blocks"]))]
    assert sorted(shown) == sorted(f"2602.{90000 + n}" for n in range(20))
    assert not any("Slack refused" in text for text in slack.all_text())
