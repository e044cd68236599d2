"""After a crash, Slack tells which digest items went out: found posts are kept, missing ones resent.

A run "dies" here when its delivery task is cancelled while the fake Slack holds a post's answer;
a new bot on the same database and the same Slack then reconciles, as `paperboy run` does at start.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from typing import Any

from tests.adapters.slack.conftest import CHANNEL, PAPERS, SlackBot
from tests.adapters.slack.test_digest import NHGD_ID, command
from tests.fakes.slack_server import FakeSlack


def is_item(args: dict[str, Any]) -> bool:
    """A digest item's chat.postMessage: it names a paper and a run, and is not in a thread."""
    payload = (args.get("metadata") or {}).get("event_payload") or {}
    return bool(payload.get("run_id")) and not args.get("thread_ts")


def items_posted(slack: FakeSlack) -> list[str]:
    """The papers posted as digest items to the channel, in order, repeats included."""
    return [p["metadata"]["event_payload"]["arxiv_id"] for p in slack.posts(CHANNEL) if is_item(p)]


async def killed_mid_digest(slack: FakeSlack, bot: SlackBot, *, nth: int, accept: bool) -> None:
    """Start a digest and let it die while the fake holds its `nth` item post."""
    assert bot.services is not None and bot.adapter is not None
    held = slack.hold_call(nth=nth, accept=accept, match=is_item)
    run = asyncio.create_task(bot.services.engine.delivery.run([PAPERS]))
    await asyncio.wait_for(held.wait(), 10)
    run.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await run
    await bot.close()


async def test_an_item_whose_answer_was_lost_is_found_and_not_posted_again(
    slack: FakeSlack, bot: SlackBot, make_bot: Any
) -> None:
    await command(slack, bot, "subscribe convergence")
    await killed_mid_digest(slack, bot, nth=3, accept=True)
    first_run = items_posted(slack)
    assert len(first_run) == 3  # the third went out; only its answer was lost

    again: SlackBot = await make_bot()
    assert again.services is not None
    report = await again.services.engine.delivery.posts.reconcile()
    # The run confirms its posts together at the end: the three that went out are found and confirmed.
    assert (report.confirmed, report.released) == (3, 7)
    await slack.wait_connected()
    await command(slack, again, "digest")

    posted = items_posted(slack)
    assert posted[:3] == first_run
    assert Counter(posted).most_common(1)[0][1] == 1  # no paper twice
    assert len(posted) == 10  # the interrupted digest is completed
    assert await again.services.repository.posted_count(PAPERS) == 10


async def test_an_item_that_never_reached_slack_is_not_found_and_is_posted_on_the_retry(
    slack: FakeSlack, bot: SlackBot, make_bot: Any
) -> None:
    await command(slack, bot, "subscribe convergence")
    await killed_mid_digest(slack, bot, nth=3, accept=False)
    first_run = items_posted(slack)
    assert len(first_run) == 2
    lost = slack.calls("chat.postMessage")[-1].data["metadata"]["event_payload"]["arxiv_id"]

    again: SlackBot = await make_bot()
    assert again.services is not None
    report = await again.services.engine.delivery.posts.reconcile()
    assert (report.confirmed, report.released) == (2, 8)  # the two that went out, the lost one freed
    await slack.wait_connected()
    await command(slack, again, "digest")

    posted = items_posted(slack)
    assert posted.count(lost) == 1
    assert len(posted) == len(set(posted)) == 10


async def test_an_explain_card_about_the_paper_is_not_taken_for_its_digest_item(
    slack: FakeSlack, bot: SlackBot
) -> None:
    assert bot.adapter is not None
    await command(slack, bot, f"explain {NHGD_ID}")
    card = slack.posts(CHANNEL)[-1]
    assert card["metadata"]["event_payload"] == {"arxiv_id": NHGD_ID}  # top-level, names the paper

    assert await bot.adapter.publisher.find_post(PAPERS, NHGD_ID, "run-that-never-posted") is None
    history = slack.calls("conversations.history")
    assert history and history[-1].data["channel"] == CHANNEL


async def test_when_slack_cannot_tell_the_claim_is_kept_until_it_can(
    slack: FakeSlack, bot: SlackBot, make_bot: Any
) -> None:
    await command(slack, bot, "subscribe convergence")
    await killed_mid_digest(slack, bot, nth=1, accept=True)
    slack.fail_method("conversations.history", "missing_scope")  # channels:history was removed

    again: SlackBot = await make_bot()
    assert again.services is not None
    report = await again.services.engine.delivery.posts.reconcile()
    assert (report.confirmed, report.released) == (0, 0)
    claimed = {c.arxiv_id for c in await again.services.repository.pending_deliveries(PAPERS)}
    assert len(claimed) == 10
    await slack.wait_connected()
    await command(slack, again, "digest")  # the unsettled papers count as this digest's: none twice
    assert items_posted(slack) == items_posted(slack)[:1]
    assert "nothing new" in slack.posts(CHANNEL)[-1]["text"]

    slack.fail_method("conversations.history", "")
    report = await again.services.engine.delivery.posts.reconcile()
    assert (report.confirmed, report.released) == (1, 9)
    await command(slack, again, "digest")
    posted = items_posted(slack)
    assert len(posted) == len(set(posted))
    assert claimed <= set(posted)  # the nine released papers came after all
