"""Benchmark: real arXiv days replayed through the real services, three rankings, simulated teams.

    python benchmarks/relevance.py [--corpus FILE] [--channels FILE] [--days N] [--seed S]

Issue 14's measurement. The fake arXiv serves each announcement day of the corpus as that day's
RSS listing (the 3-second spacing counted on a fake clock, not slept); channels subscribe through
`Engine.handle`; each day's digests are posted by `DigestDelivery.run`; the simulated team votes
on about half of the items it was shown (👍 when a category of the paper is in its hidden
interest), through `Engine.handle` as the buttons do. Each ranker has its own copy of every
channel, whose team votes only on what that ranker showed:

- words: today's product path, untouched: its team's votes are counted but not cast (cast, they
  would teach the product's ranking, which is what "paperboy" measures).
- svm: arxiv-sanity's tf-idf and linear SVM on the channel's votes (written here, a baseline).
- paperboy: the product's own path, votes cast through `Engine.handle` and learned by the
  digest's `Relevance` (the run prints which path it took).

From day 16 on, precision = relevant shown / shown (days that showed something), recall =
relevant shown / min(papers per digest, relevant that day) (days with a relevant paper); per
channel, the F1 of the two means. The last line is one JSON object: `{"words": {"precision",
"recall", "f1"}, "svm": {...}, "paperboy": {...}, "channels": N}` (means over channels).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Per-channel models are small matrices: BLAS threads only spin on them (10-20x the CPU time).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from benchmarks.relevance_corpus import (  # noqa: E402
    CORPUS,
    DEFAULT_CHANNELS,
    ChannelSpec,
    is_relevant,
    read_channels,
    read_days,
)
from benchmarks.relevance_lab import FIRST_SCORED_DAY, Tally, summary, votes_on  # noqa: E402
from benchmarks.relevance_plugged import PaperboyThroughApi, SvmBaseline  # noqa: E402
from benchmarks.relevance_world import (  # noqa: E402
    Ranker,
    World,
    build_world,
    cast_vote,
    channel_ref,
    member,
    subscribe,
)
from bot.domain.paper import Paper  # noqa: E402

RANKERS = ("words", "svm", "paperboy")
# The product ranks with votes: the paperboy channels take the product's own path, like words.
# False plugs `bot.relevance.channel` in at the choosing step instead (the research harness).
PRODUCT_RANKS_WITH_VOTES = True
PER_DIGEST = 10


def copy_name(ranker: str, channel: ChannelSpec) -> str:
    """The channel id of one ranker's copy of a simulated channel."""
    return f"{ranker}-{channel.name}"


async def replay(
    args: argparse.Namespace, channels: Sequence[ChannelSpec], folder: Path, started: float
) -> dict[str, object]:
    """Set up the world, subscribe every copy, run every day, vote; return the tallies and costs."""
    days = read_days(args.corpus, args.days)
    corpus = [p for _, papers in days for p in papers]
    plugged: dict[str, Ranker] = {"svm": SvmBaseline(corpus)}
    if not PRODUCT_RANKS_WITH_VOTES:
        plugged["paperboy"] = PaperboyThroughApi({copy_name("paperboy", c): c.topic for c in channels})
    tallies = {r: [Tally() for _ in channels] for r in RANKERS}
    costs: dict[str, float] = {"set-up (corpus, fakes, tf-idf)": time.perf_counter() - started}
    async with build_world(days, folder, PER_DIGEST) as world:
        refs = {r: [channel_ref(copy_name(r, c)) for c in channels] for r in RANKERS}
        for r in RANKERS:
            for spec, ref in zip(channels, refs[r], strict=True):
                await subscribe(world, ref, spec.topic)
                if r in plugged:
                    world.builder.rankers[ref.channel_id] = plugged[r]
        everyone = [ref for r in RANKERS for ref in refs[r]]
        digest_seconds = vote_seconds = 0.0
        for number, (day, papers) in enumerate(days, start=1):
            world.open_day(day)
            clock = time.perf_counter()
            # One run for every channel, as the scheduler's tick makes: one ingest, one match cache.
            await world.harness.run(everyone)
            digest_seconds += time.perf_counter() - clock
            shown = world.shown.take()
            clock = time.perf_counter()
            for r in RANKERS:
                for c, channel in enumerate(channels):
                    name = copy_name(r, channel)
                    items = shown.get(name, [])
                    votes = [
                        (p, is_relevant(p, channel))
                        for p in items
                        if votes_on(args.seed, channel.name, p.arxiv_id)
                    ]
                    if r != "words":  # today's ranking learns nothing: cast, votes would teach it
                        await _vote(world, name, votes, plugged.get(r))
                    if number >= FIRST_SCORED_DAY:
                        _score(tallies[r][c], items, papers, channel, len(votes))
            vote_seconds += time.perf_counter() - clock
            if number % 25 == 0:
                print(f"day {number} of {len(days)}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        costs["digests: DigestDelivery.run, every day"] = digest_seconds
        costs["votes: Engine.handle and learning"] = vote_seconds
        costs["arXiv requests (3 s spacing counted, not slept)"] = world.gate.requests_made
    costs["wall time"] = time.perf_counter() - started
    return {"tallies": tallies, "costs": costs, "days": len(days), "papers": len(corpus)}


async def _vote(world: World, name: str, votes: list[tuple[Paper, bool]], ranker: Ranker | None) -> None:
    """The team's votes through the command path; a plugged ranking learns them too."""
    ref = channel_ref(name)
    for paper, liked in votes:
        await cast_vote(world, ref, member(paper.arxiv_id), paper.arxiv_id, liked)
    if ranker is not None:
        ranker.learn(name, votes)


def _score(tally: Tally, items: list[Paper], papers: list[Paper], channel: ChannelSpec, votes: int) -> None:
    """One digest's precision (if it showed something) and recall (if the day had relevant papers)."""
    hits = sum(is_relevant(p, channel) for p in items)
    tally.shown += len(items)
    tally.votes += votes
    if items:
        tally.precisions.append(hits / len(items))
    if wanted := sum(is_relevant(p, channel) for p in papers):
        tally.recalls.append(hits / min(PER_DIGEST, wanted))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, replay, print each channel's figures and the JSON line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="JSON lines, gzipped or not")
    parser.add_argument(
        "--channels", type=Path, default=None, help='JSON list of {"name", "interest", "topic"}'
    )
    parser.add_argument("--days", type=int, default=None, help="only the first N announcement days")
    parser.add_argument("--seed", type=int, default=1, help="which items the simulated teams vote on")
    args = parser.parse_args(argv)
    channels = read_channels(args.channels) if args.channels else DEFAULT_CHANNELS
    logging.disable(logging.INFO)  # each digest run logs a line: 6,750 of them
    started = time.perf_counter()
    # The database on memory-backed storage where there is one: commits, not disks, are measured.
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix="paperboy-relevance-", dir=shm if shm.is_dir() else None))
    try:
        result = asyncio.run(replay(args, channels, folder, started))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    tallies: dict[str, list[Tally]] = result["tallies"]  # type: ignore[assignment]
    print(f"{result['days']} announcement days, {result['papers']:,} papers, {len(channels)} channels")
    print(
        "paperboy: "
        + (
            "the product's own ranking (DigestDelivery.run, untouched)"
            if PRODUCT_RANKS_WITH_VOTES
            else "bot.relevance.channel plugged into DigestDelivery.run's choosing step by the harness "
            "(the product does not rank with votes yet)"
        )
    )
    print(f"{'channel':28}" + "".join(f"{r:>24}" for r in RANKERS))
    for c, channel in enumerate(channels):
        row = f"{channel.name:28}"
        for r in RANKERS:
            f = tallies[r][c].figures()
            row += f"   P {f['precision']:.2f} R {f['recall']:.2f} F {f['f1']:.2f}"
        print(row)
    for label, value in result["costs"].items():  # type: ignore[attr-defined]
        print(f"{label}: {value:,.1f}" + ("" if "requests" in label else " s"))
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(json.dumps(summary(tallies)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
