"""`/paper more` in Slack: the header says how to get the papers beyond the cap, and they come once."""

from __future__ import annotations

import re

from tests.adapters.slack.conftest import CHANNEL, SlackBot
from tests.adapters.slack.test_digest import command, texts
from tests.fakes.slack_server import FakeSlack


def item_ids(slack: FakeSlack) -> list[str]:
    """The arXiv ids of every digest item posted in the channel so far."""
    found = []
    for post in slack.posts(CHANNEL):
        match = re.search(r"`arXiv:(\S+)`", texts(post.get("blocks", [])))
        if match:
            found.append(match[1])
    return found


async def test_the_header_points_to_paper_more_which_posts_the_next_papers(
    slack: FakeSlack, bot: SlackBot
) -> None:
    await command(slack, bot, "subscribe convergence")
    await command(slack, bot, "digest")
    header = slack.posts(CHANNEL)[0]
    assert "(105 more matched; `/paper more` posts the next 10)" in texts(header["blocks"])
    first = item_ids(slack)
    assert len(first) == 10

    ack = await command(slack, bot, "more")
    assert ack["payload"]["text"] == "Finding more papers..."
    both = item_ids(slack)
    assert len(both) == 20 and len(set(both)) == 20  # ten more, none of the first ten again
    assert "(95 more matched; `/paper more` posts the next 10)" in "\n".join(
        texts(p["blocks"]) for p in slack.posts(CHANNEL)
    )
