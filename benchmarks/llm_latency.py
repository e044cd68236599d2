"""The `--llm-latency` day: arXiv's listing in at 08:00 UTC, every digest due at 09:00 UTC.

At 08:00 the listing is ingested (as the scheduled ingest does) and `Prewriter.after_ingest`, the
hook the scheduled ingest calls, writes the explanations of what the channels will get. At 09:00
the digest cycle runs for every channel, whatever the prewriter has or has not finished. The LLM
answers each request after `--llm-latency` seconds of virtual time (benchmarks/virtual_time.py);
a digest's wait for its explanations is the deployment default, 120 s of the same time.

A digest counts as posted when its last message was posted; "posted within 60 s of its time" is
that moment, on the virtual clock (09:00 plus the real time the cycle took to reach the channel,
plus any LLM waits), minus 09:00.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from benchmarks.cycle_setup import World
from benchmarks.virtual_time import VirtualClock, VirtualTimeLoop
from bot.app import build_prewriter
from bot.services.explanations import LlmExplainer
from bot.services.prewrite import PrewriteReport
from tests.fixtures.seed_papers import SEED_ANNOUNCED

LISTING_AT = datetime.combine(SEED_ANNOUNCED, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
DIGESTS_AT = LISTING_AT + timedelta(hours=1)
ON_TIME_S = 60.0
EXPLAINED_SHARE = 0.95

Figures = dict[str, float | int | str]


class LatencyDay:
    """One announcement day with a slow LLM, with or without writing explanations ahead."""

    def __init__(self, world: World, *, latency: float, prewrite: bool) -> None:
        loop = asyncio.get_running_loop()
        assert isinstance(loop, VirtualTimeLoop) and isinstance(world.clock, VirtualClock)
        explainer = world.services.engine.explainer
        assert isinstance(explainer, LlmExplainer)
        pool = world.services.database.pool
        shared = loop.shared
        # Everything but waiting is done: no database work, and every call sent is held by the fake.
        loop.settled = lambda: pool.checkedout() == 0 and explainer.calls_in_flight == shared.held()[0]
        self._loop, self._world, self._clock, self._explainer = loop, world, world.clock, explainer
        self._latency, self._prewrite = latency, prewrite
        self._task: asyncio.Task[PrewriteReport] | None = None
        self._prewritten_at: datetime | None = None
        self._real = 0.0

    async def until_digests(self) -> None:
        """08:00: ingest, start writing ahead; then wait (virtually) for the digests' time."""
        world, clock = self._world, self._clock
        clock.start_at(LISTING_AT)
        self._real = time.perf_counter()
        builder = world.services.engine.builder
        ingest = await world.services.catalog.refresh(await builder.all_categories(), force=True)
        if self._prewrite:
            prewriter = build_prewriter(world.services)
            assert prewriter is not None
            self._task = asyncio.create_task(prewriter.after_ingest(ingest))
            self._task.add_done_callback(lambda _: setattr(self, "_prewritten_at", clock.now()))
        await asyncio.sleep((DIGESTS_AT - clock.now()).total_seconds())

    async def settle(self) -> None:
        """After the cycle: let the writing still under way finish, so the run ends cleanly."""
        if self._task is not None:
            await self._task
        # Polled on virtual time, which jumps while nothing else happens: this costs no real second.
        while self._explainer.writing:  # noqa: ASYNC110
            await asyncio.sleep(1.0)

    def figures(self, channels: int) -> Figures:
        """The day's figures: what was written ahead, how many items carried it, how late digests were."""
        publisher = self._world.publisher
        late = sorted((at - DIGESTS_AT).total_seconds() for at in publisher.last_post.values())
        report = self._task.result() if self._task is not None else PrewriteReport()
        items = sum(publisher.items.values())
        return {
            "llm_latency_s": self._latency,
            "llm_concurrency": self._world.services.settings.llm_concurrency,
            "llm_most_in_flight": self._world.llm.most_in_flight,
            "prewrite_papers": report.papers,
            "prewrite_written": report.written,
            "prewrite_not_written": report.refused + report.failed,
            "prewrite_channels_charged": len(report.charged),
            "prewrite_most_charged": max(report.charged.values(), default=0),
            "prewrite_wall_s": report.seconds,
            "prewritten_by": (self._prewritten_at - LISTING_AT).total_seconds()
            if self._prewritten_at
            else -1,
            "items_explained": publisher.explained_items,
            "items_explained_share": publisher.explained_items / items if items else 0.0,
            "items_still_writing": publisher.still_writing_items,
            "channels_expected": channels,
            "channels_posted": len(late),
            "channels_on_time": sum(1 for s in late if s <= ON_TIME_S),
            "digest_late_median_s": late[len(late) // 2] if late else -1,
            "digest_late_max_s": late[-1] if late else -1,
            "virtual_jumps": self._loop.jumps,
            "virtual_skipped_s": self._loop.jumped,
            "day_real_s": time.perf_counter() - self._real,
        }


def targets(f: Figures) -> list[tuple[str, bool, str]]:
    """The slow-LLM targets: explained items, digests on time, the LLM's concurrency kept."""
    share = float(f["items_explained_share"])
    on_time = int(f["channels_on_time"]) == int(f["channels_posted"]) == int(f["channels_expected"])
    return [
        (
            f">= {EXPLAINED_SHARE:.0%} of items carry their explanation "
            f"({float(f['llm_latency_s']):g} s LLM)",
            share >= EXPLAINED_SHARE,
            f"{share:.1%} ({int(f['items_explained']):,} items; {int(f['items_still_writing']):,} "
            '"still being written")',
        ),
        (
            f"every channel's digest posted within {ON_TIME_S:.0f} s of its time",
            on_time and float(f["digest_late_max_s"]) <= ON_TIME_S,
            f"{int(f['channels_on_time']):,} of {int(f['channels_expected']):,} channels; the latest "
            f"{float(f['digest_late_max_s']):,.1f} s after 09:00",
        ),
        (
            "LLM requests at once <= LLM_CONCURRENCY",
            int(f["llm_most_in_flight"]) <= int(f["llm_concurrency"]),
            f"at most {f['llm_most_in_flight']} at once, LLM_CONCURRENCY={f['llm_concurrency']}",
        ),
    ]


def table(f: Figures) -> str:
    """The slow-LLM day with writing ahead, beside the same day without it (when it ran)."""

    def both(key: str, show: str = "{:,.0f}") -> tuple[str, str]:
        base = f.get(f"baseline_{key}")
        return show.format(float(f[key])), "-" if base is None else show.format(float(base))

    def at(key: str) -> str:
        seconds = float(f[key])
        return "not finished" if seconds < 0 else f"{(LISTING_AT + timedelta(seconds=seconds)):%H:%M:%S}"

    def share(prefix: str) -> str:
        if f"{prefix}items_explained" not in f:
            return "-"
        return (
            f"{float(f[prefix + 'items_explained']):,.0f} ({float(f[prefix + 'items_explained_share']):.1%})"
        )

    def late(prefix: str) -> str:
        if f"{prefix}digest_late_max_s" not in f:
            return "-"
        median, latest = float(f[prefix + "digest_late_median_s"]), float(f[prefix + "digest_late_max_s"])
        return f"{median:,.1f} s / {latest:,.1f} s"

    rows = [
        (
            "papers written ahead / papers the digests need",
            f"{float(f['prewrite_written']):,.0f} / {float(f['prewrite_papers']):,.0f}",
            "-",
        ),
        ("  finished writing ahead at (virtual)", at("prewritten_by"), "-"),
        ("  real time writing ahead took", f"{float(f['prewrite_wall_s']):,.1f} s", "-"),
        (
            "  charged to channels (most calls one channel paid)",
            f"{float(f['prewrite_channels_charged']):,.0f} ({f['prewrite_most_charged']})",
            "-",
        ),
        ("LLM calls in the day", *both("llm_calls")),
        ("items posted", *both("items_posted")),
        ("items with their explanation", share(""), share("baseline_")),
        ('items "still being written"', *both("items_still_writing")),
        ("channels posted their digest", *both("channels_posted")),
        ("median / latest digest after 09:00 (virtual)", late(""), late("baseline_")),
        ("LLM requests at once, most", *both("llm_most_in_flight")),
        ("virtual seconds skipped, in jumps", *both("virtual_skipped_s")),
        ("real seconds the day took (08:00 on)", *both("day_real_s", "{:,.1f}")),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [
        f"A {float(f['llm_latency_s']):g} s LLM (virtual time, not slept), "
        f"LLM_CONCURRENCY={f['llm_concurrency']}: "
        f"the listing in at {LISTING_AT:%H:%M} UTC, every digest due at {DIGESTS_AT:%H:%M} UTC, "
        "a digest waits 120 s for its explanations.\n",
        f"{'':<{width}}  {'written ahead':>22}  without (baseline)",
    ]
    lines += [f"{label:<{width}}  {ours:>22}  {base}" for label, ours, base in rows]
    return "\n".join(lines) + "\n"
