"""Months of new people and channels: the Slack directory's caches stay bounded and still expire."""

from __future__ import annotations

from typing import Any

from adapters.slack.people import CACHE_ENTRIES, CACHE_SECONDS, ManagerPolicy, SlackDirectory


class CountingSlack:
    """users.info and conversations.info answered from memory, counting calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def users_info(self, *, user: str) -> Any:
        self.calls += 1
        return {"user": {"id": user, "is_admin": user.endswith("A"), "profile": {"display_name": user}}}

    async def conversations_info(self, *, channel: str) -> Any:
        self.calls += 1
        return {"channel": {"id": channel, "name": f"name-{channel}"}}


async def test_a_flood_of_distinct_users_keeps_at_most_the_cache_size() -> None:
    now = [0.0]
    slack = CountingSlack()
    directory = SlackDirectory(slack, ManagerPolicy.parse("admins"), monotonic=lambda: now[0])
    for n in range(CACHE_ENTRIES * 2):
        await directory.actor(f"U{n}")
        await directory.channel_name(f"C{n}")
    assert directory.cached <= 2 * CACHE_ENTRIES
    calls = slack.calls
    await directory.actor("U0")  # the oldest was let go to make room
    assert slack.calls == calls + 1


async def test_a_known_user_is_asked_again_only_after_the_cache_time() -> None:
    now = [0.0]
    slack = CountingSlack()
    directory = SlackDirectory(slack, ManagerPolicy.parse("admins"), monotonic=lambda: now[0])
    assert (await directory.actor("U1A")).can_manage
    await directory.actor("U1A")
    assert slack.calls == 1
    now[0] += CACHE_SECONDS + 1
    await directory.actor("U1A")
    assert slack.calls == 2
