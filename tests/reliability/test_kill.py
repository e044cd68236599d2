"""SIGKILL `paperboy run` at points of a digest run, restart it, and count what the channel got.

Every kill point must end with each due paper in the channel exactly once, and the interrupted
digest completed rather than topped up with papers that were not due.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.reliability.conftest import PAPERS, Deployment, is_header, is_item, paper_of

Match = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class KillPoint:
    """Where to kill: the `nth` call `match` selects; `accept` says whether Slack took it."""

    name: str
    nth: int
    accept: bool
    match: Callable[[list[str]], Match]


def items(_due: list[str]) -> Match:
    return is_item


def headers(_due: list[str]) -> Match:
    return is_header


def last_thread(due: list[str]) -> Match:
    return lambda args: bool(args.get("thread_ts")) and paper_of(args) == due[-1]


KILL_POINTS = [
    KillPoint("before any post (papers claimed, header not taken)", 1, False, headers),
    KillPoint("after the 1st item, its answer lost", 1, True, items),
    KillPoint("between the 3rd and 4th item", 4, False, items),
    KillPoint("after the last item, its answer lost", 5, True, items),
    KillPoint("after the last post (its thread reply), before the run is recorded", 1, True, last_thread),
]


async def kill_at(deployment: Deployment, point: KillPoint, due: list[str]) -> None:
    """Start a process and SIGKILL it when the fake Slack holds the call of this kill point."""
    held = deployment.slack.hold_call(nth=point.nth, accept=point.accept, match=point.match(due))
    process = await deployment.start()
    await asyncio.wait_for(held.wait(), 60)
    await process.kill()


def assert_exactly_once(deployment: Deployment, due: list[str]) -> None:
    posted = deployment.items(PAPERS)
    duplicates = sorted(p for p, n in posted.items() if n > 1)
    lost = sorted(p for p in due if posted[p] == 0)
    assert (duplicates, lost) == ([], [])
    assert set(posted) == set(due)  # the interrupted digest is completed, not topped up


@pytest.mark.parametrize("point", KILL_POINTS, ids=[p.name for p in KILL_POINTS])
async def test_killed_mid_digest_and_restarted_every_due_paper_arrives_once(
    deployment: Deployment, point: KillPoint
) -> None:
    due = (await deployment.prepare([PAPERS]))[PAPERS.channel_id]
    assert len(due) == 5
    await kill_at(deployment, point, due)

    await deployment.run_until_digest_done()
    assert_exactly_once(deployment, due)


async def test_killed_again_while_recovering(deployment: Deployment) -> None:
    due = (await deployment.prepare([PAPERS]))[PAPERS.channel_id]
    await kill_at(deployment, KillPoint("after the 2nd item", 2, True, items), due)
    await kill_at(deployment, KillPoint("the restart, at its 1st item", 3, True, items), due)

    await deployment.run_until_digest_done()
    assert_exactly_once(deployment, due)
