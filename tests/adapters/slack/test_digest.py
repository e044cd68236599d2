"""Digests in Block Kit: a parent message, one message per paper, its explanation in the item's thread."""

from __future__ import annotations

import itertools
from typing import Any

from tests.adapters.slack.conftest import CHANNEL, PAPERS, SlackBot
from tests.fakes.llm_server import FakeLlm
from tests.fakes.slack_server import FakeSlack

NHGD_ID = "2602.10905"
NHGD = "Natural Hypergradient Descent: Algorithm Design, Convergence Analysis, and Parallel Implementation"
EXPLANATION = "NHGD preconditions the hypergradient with an empirical Fisher surrogate."


async def command(slack: FakeSlack, bot: SlackBot, text: str, **options: Any) -> dict[str, Any]:
    """Type `/paper <text>` and wait for everything it sets off."""
    envelope = await slack.send_slash_command(text, **options)
    ack = await slack.wait_for_ack(envelope)
    await bot.idle()
    return ack.data


def texts(block_list: list[dict[str, Any]]) -> str:
    """The visible text of some blocks, joined."""
    found: list[str] = []
    for block in block_list:
        if "text" in block:
            found.append(block["text"]["text"])
        for element in block.get("elements", []):
            text = element.get("text")
            found.append(text["text"] if isinstance(text, dict) else str(text or ""))
    return "\n".join(found)


async def test_a_digest_is_a_parent_message_then_one_message_per_paper_with_its_thread(
    slack: FakeSlack, bot: SlackBot, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = EXPLANATION
    await command(slack, bot, 'subscribe au:"Deyi Kong"')
    ack = await command(slack, bot, "digest")
    assert ack["payload"]["text"] == "Building the digest..."

    parent, item, thread = slack.posts(CHANNEL)
    assert parent["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Paperboy digest · Thu 12 Feb 2026"},
    }
    assert "*1 new paper*" in texts(parent["blocks"])
    assert '`au:"Deyi Kong"`' in texts(parent["blocks"])
    assert parent["text"].startswith("Paperboy digest · Thu 12 Feb 2026 · 1 paper")

    shown = texts(item["blocks"])
    assert f"*1. <https://arxiv.org/abs/{NHGD_ID}|{NHGD}>*" in shown
    assert "Deyi Kong, Zaiwei Chen, Shuzhong Zhang, Shancong Mou" in shown
    assert f"`arXiv:{NHGD_ID}` · <https://arxiv.org/pdf/{NHGD_ID}v1|pdf> · cs.LG, math.OC, stat.ML" in shown
    assert "_Matched:_ au:" in shown
    buttons = item["blocks"][-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Explain", "👍", "👎", "Not relevant", "Mute…"]
    assert [b["action_id"] for b in buttons] == [
        f"paperboy_explain:{NHGD_ID}",
        f"paperboy_vote_up:{NHGD_ID}",
        f"paperboy_vote_down:{NHGD_ID}",
        f"paperboy_not_relevant:{NHGD_ID}",
        f"paperboy_mute:{NHGD_ID}",
    ]
    assert item["metadata"]["event_type"] == "paperboy_paper"
    assert item["metadata"]["event_payload"]["arxiv_id"] == NHGD_ID
    assert len(item["metadata"]["event_payload"]["run_id"]) == 12  # so a crashed run finds its posts
    assert item["text"] == f"1. {NHGD} (arXiv:{NHGD_ID})"

    assert thread["thread_ts"] == item["ts"]
    assert EXPLANATION in texts(thread["blocks"])
    assert NHGD in fake_llm.requests[0].user
    assert bot.services is not None
    assert await bot.services.repository.posted_count(PAPERS) == 1


async def test_a_digest_posts_at_most_one_message_a_second_to_a_channel(
    slack: FakeSlack, bot: SlackBot
) -> None:
    await command(slack, bot, "subscribe convergence")
    await command(slack, bot, "digest")
    stamps = [r.at for r in slack.calls("chat.postMessage") if r.data.get("channel") == CHANNEL]
    assert len(stamps) == 1 + 2 * 10  # parent, then ten items each with a thread reply
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    assert min(gaps) >= 1.0


async def test_the_scheduler_posts_through_the_publisher_the_adapter_registered(
    slack: FakeSlack, bot: SlackBot
) -> None:
    from tests.support.scheduled import post_scheduled

    await command(slack, bot, 'subscribe au:"Deyi Kong"')
    assert bot.services is not None and bot.adapter is not None
    await post_scheduled(bot.services, PAPERS)
    assert len(slack.posts(CHANNEL)) == 3
