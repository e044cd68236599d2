"""Benchmark: one full daily digest cycle for 10,000 channels, against the naive design, in one run.

    python benchmarks/digest_cycle.py [--channels 10000] [--scaling]
    python benchmarks/digest_cycle.py --llm-latency 3     # a slow LLM, explanations written ahead

Real services on a real SQLite file, the real litellm against a local fake OpenAI-compatible
server, the real arxiv library against a local fake arXiv (RSS listing and id look-ups) whose
request gate runs on a fake clock: the 3-second spacing is counted, not slept. The fake caps a feed
at 2,000 items as arXiv does, so a day of 3,000 papers is a split day: the full union, then one
request per part; the arXiv-request target allows exactly that (10, plus one per split part). The
chat platform is in memory: it renders every message with the Slack Block Kit renderer and accepts
it at once, so there are no platform rate-limit waits to exclude. `--scaling` runs 1k, 10k and 100k channels,
each in its own process, and prints them side by side. Exits non-zero if a target fails.

`--llm-latency SECONDS`: the fake LLM answers each request after that many seconds, counted on a
virtual clock (benchmarks/virtual_time.py), not slept. The listing comes in at 08:00 UTC and is
followed by `Prewriter.after_ingest`; the digests are due at 09:00 UTC (benchmarks/llm_latency.py).
The same day without writing ahead runs next, in its own process, as the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import sqlalchemy as sa  # noqa: E402

from benchmarks.cycle_setup import HELP_RUNS, World, build_world, help_time  # noqa: E402
from benchmarks.llm_latency import LatencyDay  # noqa: E402
from benchmarks.llm_latency import table as latency_table  # noqa: E402
from benchmarks.llm_latency import targets as latency_targets  # noqa: E402
from benchmarks.naive import arxiv_query, naive_matching  # noqa: E402
from benchmarks.virtual_time import SharedTime, VirtualTimeLoop  # noqa: E402
from bot.domain.paper_text import analyze  # noqa: E402
from bot.domain.topic_index import PaperIndex  # noqa: E402
from bot.domain.topics import parse_topic  # noqa: E402
from bot.infra.storage.tables import ChannelRow  # noqa: E402
from bot.services import scheduled  # noqa: E402

SCALING = (1_000, 10_000, 100_000)
ARXIV_INTERVAL = 3.0


def measure(args: argparse.Namespace) -> dict[str, float | int | str]:
    """Run the day on a plain event loop, or on the virtual-time loop when the LLM is slow."""
    if args.llm_latency is None:
        return asyncio.run(_measure(args, None))
    shared = SharedTime(multiprocessing.get_context("spawn"))
    with asyncio.Runner(loop_factory=lambda: VirtualTimeLoop(shared)) as runner:
        return runner.run(_measure(args, shared))


async def _measure(args: argparse.Namespace, shared: SharedTime | None) -> dict[str, float | int | str]:
    """Set the day up, run the cycle, measure the naive design on the same data."""
    figures: dict[str, float | int | str] = {
        "channels": args.channels,
        "votes_per_channel": args.votes_per_channel,
    }
    async with build_world(args, Path(tempfile.mkdtemp(prefix="paperboy-bench-")), shared) as world:
        figures["setup_s"] = world.setup_seconds
        figures["subscriptions"] = world.subscriptions
        figures["topics"] = len(world.topics)
        figures["papers"] = len(world.papers)
        if not args.digests_only:
            figures.update(_matching(world, args.naive_topics))
        if args.llm_latency is None:
            figures.update(await _cycle(world))
        else:
            day = LatencyDay(world, latency=args.llm_latency, prewrite=not args.no_prewrite)
            since = (world.gate.requests_made, world.llm.calls)
            await day.until_digests()
            figures.update(await _cycle(world, since))
            await day.settle()
            figures.update(day.figures(args.channels))
        if not args.digests_only:
            figures.update(await _naive_arxiv(world, args.naive_queries))
    figures["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def _matching(world: World, sample: int) -> dict[str, float | int | str]:
    """The inverted index over the day's papers and every distinct topic, then naive regexes."""
    topics = [parse_topic(t) for t in world.topics]
    analyze.cache_clear()
    started = time.process_time()
    index = PaperIndex(world.papers)
    matched = sum(len(index.search(t)) for t in topics)
    ours = time.process_time() - started
    pairs = len(topics) * len(world.papers)
    step = max(1, len(world.topics) // sample)
    naive = naive_matching(world.topics[::step][:sample], world.papers)
    # The cycle builds its own index and analyses the papers itself: none of this is kept for it.
    del index
    analyze.cache_clear()
    gc.collect()
    return {
        "match_cpu_s": ours,
        "match_pairs": pairs,
        "match_pairs_per_s": pairs / ours,
        "match_hits": matched,
        "naive_match_sample_topics": naive.topics,
        "naive_match_pairs_per_s": naive.pairs_per_second,
        "naive_match_cpu_s_extrapolated": pairs / naive.pairs_per_second,
    }


async def _all_due(world: World) -> None:
    """Every channel's digest falls due now (setting up the day, not part of the measured cycle)."""
    now = world.services.engine.clock.now()
    async with world.services.database.begin() as connection:
        await connection.execute(sa.update(ChannelRow).values(next_digest_at=now))


async def _cycle(world: World, since: tuple[int, int] | None = None) -> dict[str, float | int | str]:
    """The cycle for every channel; arXiv requests and LLM calls are counted from `since` if given
    (the morning's ingest and writing ahead are part of the day)."""
    gate, publisher = world.gate, world.publisher
    requests_before, llm_before = since or (gate.requests_made, world.llm.calls)
    await _all_due(world)
    wall, cpu = time.perf_counter(), time.process_time()
    # The scheduler's tick finds every channel due and runs them in one delivery run.
    await scheduled.tick(world.jobs)
    (report,) = await asyncio.gather(*world.jobs.tasks)
    assert report is not None, "the run failed: see the log"
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    times = gate.request_times_since(requests_before)
    with_items = sum(1 for n in publisher.items.values() if n)
    ingest = report.ingest
    return {
        "cycle_wall_s": wall,
        "cycle_cpu_s": cpu,
        "arxiv_requests": gate.requests_made - requests_before,
        "listing_requests": ingest.requests if ingest else 0,
        "listed_papers": len(ingest.ids) if ingest else 0,
        "arxiv_spacing_s": times[-1] - times[0] if times else 0.0,
        "llm_calls": world.llm.calls - llm_before,
        "papers_explained": report.explained,
        "papers_delivered_distinct": len(publisher.distinct_papers),
        "items_posted": sum(publisher.items.values()),
        "messages_posted": publisher.messages,
        "parent_messages": sum(publisher.headers.values()),
        "max_parents_in_a_channel": max(publisher.headers.values(), default=0),
        "channels_with_papers": with_items,
        "channels_with_papers_and_one_parent": sum(
            1 for key, n in publisher.items.items() if n and publisher.headers.get(key) == 1
        ),
        "empty_digests": report.empty,
        "failed_channels": len(report.failed),
        "steps": ", ".join(f"{step} {seconds:.1f} s" for step, seconds in report.seconds.items()),
    }


async def _naive_arxiv(world: World, sample: int) -> dict[str, float | int | str]:
    """One query per subscription: measured on a sample against the same fake, spacing counted."""
    gate = world.gate
    before = gate.requests_made
    step = max(1, len(world.topics) // sample)
    queries = [arxiv_query(t) for t in world.topics[::step][:sample]]
    wall = time.perf_counter()
    for query in queries:
        await world.source.search(query, max_results=50)
    wall = time.perf_counter() - wall
    made = gate.requests_made - before
    return {
        "naive_arxiv_requests": world.subscriptions,
        "naive_arxiv_spacing_s": ARXIV_INTERVAL * (world.subscriptions - 1),
        "naive_arxiv_sample": made,
        "naive_arxiv_wall_s_extrapolated": wall / made * world.subscriptions,
    }


def targets(f: dict[str, float | int | str]) -> list[tuple[str, bool, str]]:
    """Each target, whether it holds, and the figures behind it."""
    speedup = float(f["match_pairs_per_s"]) / float(f["naive_match_pairs_per_s"])
    split_parts = max(int(f["listing_requests"]) - 1, 0)
    checks = [
        (
            "arXiv requests <= 10, plus one per split part of a full listing",
            int(f["arxiv_requests"]) <= 10 + split_parts,
            f"{f['arxiv_requests']} requests, {f['listing_requests']} of them for the listing "
            f"({split_parts} split parts)",
        ),
        (
            "every new paper of the day read",
            int(f["listed_papers"]) == int(f["papers"]),
            f"{f['listed_papers']} of {f['papers']} papers",
        ),
        (
            "LLM calls == distinct papers explained",
            f["llm_calls"] == f["papers_explained"] == f["papers_delivered_distinct"],
            f"{f['llm_calls']} calls, {f['papers_explained']} papers explained, "
            f"{f['papers_delivered_distinct']} distinct papers delivered",
        ),
        (
            "one parent message per channel with something to post",
            f["channels_with_papers_and_one_parent"] == f["channels_with_papers"]
            and f["max_parents_in_a_channel"] == 1,
            f"{f['channels_with_papers']} channels with papers, each 1 parent; most parents in a "
            f"channel: {f['max_parents_in_a_channel']}",
        ),
        ("matching >= 50x the naive regexes", speedup >= 50, f"{speedup:,.0f}x"),
        ("peak memory < 500 MB", float(f["peak_memory_mb"]) < 500, f"{float(f['peak_memory_mb']):,.0f} MB"),
        (
            "`paperboy --help` < 200 ms",
            float(f["help_ms"]) < 200,
            f"{float(f['help_ms']):.0f} ms, median of {HELP_RUNS} runs of the installed command",
        ),
    ]
    if int(f["channels"]) <= 10_000:
        wall = float(f["cycle_wall_s"])
        checks.insert(5, ("cycle < 60 s at 10,000 channels", wall < 60, f"{wall:.1f} s"))
    if "llm_latency_s" in f:
        checks += latency_targets(f)
    return checks


def report(f: dict[str, float | int | str]) -> bool:
    """Print the figures and the targets; True when every target holds."""
    n = lambda key: f"{float(f[key]):,.0f}"  # noqa: E731
    s = lambda key: f"{float(f[key]):,.2f}"  # noqa: E731
    print(
        f"Workload: {n('channels')} channels, {n('subscriptions')} subscriptions over {n('topics')} distinct "
        f"topics, {n('papers')} new papers (set up in {s('setup_s')} s, not counted)\n"
    )
    rows = [
        ("arXiv requests", n("arxiv_requests"), f"{n('naive_arxiv_requests')} (one per subscription)"),
        ("  of which, listing requests (union, then parts)", n("listing_requests"), "-"),
        (
            "arXiv 3 s spacing (counted, not slept)",
            f"{n('arxiv_spacing_s')} s",
            f"{n('naive_arxiv_spacing_s')} s = {float(f['naive_arxiv_spacing_s']) / 3600:,.1f} h",
        ),
        ("LLM calls", n("llm_calls"), f"{n('items_posted')} (one per item posted)"),
        ("distinct papers explained", n("papers_explained"), n("papers_delivered_distinct")),
        ("messages posted", n("messages_posted"), n("messages_posted")),
        ("parent messages", n("parent_messages"), n("parent_messages")),
        ("channels with papers to post", n("channels_with_papers"), n("channels_with_papers")),
        ("channels told nothing new matched", n("empty_digests"), "-"),
        ("real votes a channel (its model learned, cold, in the cycle)", n("votes_per_channel"), "-"),
        ("cycle wall time (no platform waits)", f"{s('cycle_wall_s')} s", "-"),
        ("cycle CPU time", f"{s('cycle_cpu_s')} s", "-"),
        ("  of which, by step (wall)", str(f["steps"]), ""),
        (
            "matching CPU time, all topics x papers",
            f"{float(f['match_cpu_s']):,.3f} s",
            f"{s('naive_match_cpu_s_extrapolated')} s (extrapolated*)",
        ),
        (
            "matching throughput (topic-paper pairs/s)",
            n("match_pairs_per_s"),
            f"{n('naive_match_pairs_per_s')} (measured*)",
        ),
        (
            "naive arXiv wall time besides spacing",
            "-",
            f"{s('naive_arxiv_wall_s_extrapolated')} s (extrapolated**)",
        ),
        ("peak memory (ru_maxrss, whole process)", f"{n('peak_memory_mb')} MB", "-"),
        ("`paperboy --help` (median of 9)", f"{float(f['help_ms']):.0f} ms", "-"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'':<{width}}  {'Paperboy':>22}  naive design")
    for label, ours, naive in rows:
        print(f"{label:<{width}}  {ours:>22}  {naive}")
    print(
        f"\n*  naive matching: one compiled regular expression per topic run over every paper, measured on "
        f"{f['naive_match_sample_topics']} of the {n('topics')} topics x {n('papers')} papers in this run; "
        "the full time is extrapolated from its pairs/s.\n"
        f"** naive arXiv: {f['naive_arxiv_sample']} of the {n('subscriptions')} per-subscription queries "
        "sent to the same fake arXiv through the same gate; request time extrapolated, spacing counted.\n"
        "Matching CPU: building the inverted index and searching every distinct topic once (ours) vs the "
        "regexes; both on the same papers in this process.\n"
    )
    if "llm_latency_s" in f:
        print(latency_table(f))
    ok = True
    for name, passed, detail in targets(f):
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {detail}")
    return ok


def scaling(args: argparse.Namespace) -> bool:
    """Each size in its own process (peak memory is per process); the figures side by side."""
    results = []
    for channels in SCALING:
        print(f"running {channels:,} channels ...", flush=True)
        started = time.perf_counter()
        command = [sys.executable, __file__, "--channels", str(channels), "--json"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if not done.stdout.strip():
            print(done.stderr, file=sys.stderr)
            return False
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"  took {time.perf_counter() - started:,.0f} s in all (setup included)", flush=True)
    keys = [
        ("subscriptions", "subscriptions", 0),
        ("arXiv requests", "arxiv_requests", 0),
        ("  listing requests", "listing_requests", 0),
        ("naive arXiv requests", "naive_arxiv_requests", 0),
        ("LLM calls", "llm_calls", 0),
        ("distinct papers explained", "papers_explained", 0),
        ("items posted", "items_posted", 0),
        ("messages posted", "messages_posted", 0),
        ("channels with papers", "channels_with_papers", 0),
        ("parent messages", "parent_messages", 0),
        ("cycle wall time (s)", "cycle_wall_s", 1),
        ("cycle CPU time (s)", "cycle_cpu_s", 1),
        ("matching CPU (s)", "match_cpu_s", 3),
        ("matching speed-up vs regex", "speedup", 0),
        ("peak memory (MB)", "peak_memory_mb", 0),
        ("set-up, not counted (s)", "setup_s", 1),
    ]
    for r in results:
        r["speedup"] = r["match_pairs_per_s"] / r["naive_match_pairs_per_s"]
    print(f"\n{'channels':<28}" + "".join(f"{r['channels']:>14,}" for r in results))
    for label, key, digits in keys:
        print(f"{label:<28}" + "".join(f"{float(r[key]):>14,.{digits}f}" for r in results))
    ok = True
    for r in results:
        failed = [name for name, passed, _ in targets(r) if not passed]
        ok &= not failed
        print(f"{r['channels']:>7,} channels: {'PASS' if not failed else 'FAIL ' + ', '.join(failed)}")
    return ok


def main() -> None:
    """Parse the options, run, print; exit 1 if a target fails."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=3_000)
    parser.add_argument("--topics", type=int, default=5_000)
    parser.add_argument("--per-channel", type=int, default=5, help="subscriptions per channel")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--votes-per-channel",
        type=int,
        default=20,
        help="real votes each channel cast (its model is learned in the cycle); 0: none, as before issue 14",
    )
    parser.add_argument("--naive-topics", type=int, default=100, help="topics the naive regexes run")
    parser.add_argument("--naive-queries", type=int, default=50, help="naive arXiv queries sent")
    parser.add_argument("--scaling", action="store_true", help="1k, 10k and 100k channels side by side")
    parser.add_argument(
        "--llm-latency",
        type=float,
        metavar="SECONDS",
        help="the LLM answers after this many seconds (virtual time); listing at 08:00, digests at 09:00",
    )
    parser.add_argument("--llm-concurrency", type=int, default=8, help="LLM_CONCURRENCY (with --llm-latency)")
    parser.add_argument(
        "--no-prewrite", action="store_true", help="with --llm-latency: only the day without writing ahead"
    )
    parser.add_argument("--digests-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--help-time", action="store_true", help="only time `paperboy --help` (median of 9 runs)"
    )
    args = parser.parse_args()
    if args.help_time:
        help_ms = help_time()
        print(f"`paperboy --help`: {help_ms:.0f} ms, median of {HELP_RUNS} runs of the installed command")
        sys.exit(0 if help_ms < 200 else 1)
    if args.scaling:
        sys.exit(0 if scaling(args) else 1)
    figures = measure(args)
    figures["help_ms"] = help_time()
    if args.llm_latency is not None and not args.no_prewrite and not args.json:
        figures.update(baseline(args))
    if args.json:
        print(json.dumps(figures))
        return
    sys.exit(0 if report(figures) else 1)


def baseline(args: argparse.Namespace) -> dict[str, float | int | str]:
    """The same slow-LLM day without writing ahead, in its own process, its figures prefixed."""
    print("running the same day without writing ahead (the baseline) ...", file=sys.stderr, flush=True)
    command = [
        sys.executable, __file__, "--json", "--no-prewrite", "--digests-only",
        "--llm-latency", str(args.llm_latency), "--llm-concurrency", str(args.llm_concurrency),
        "--channels", str(args.channels), "--papers", str(args.papers), "--topics", str(args.topics),
        "--per-channel", str(args.per_channel), "--seed", str(args.seed),
        "--votes-per-channel", str(args.votes_per_channel),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if not done.stdout.strip():
        print(done.stderr, file=sys.stderr)
        return {}
    return {
        f"baseline_{key}": value for key, value in json.loads(done.stdout.strip().splitlines()[-1]).items()
    }


if __name__ == "__main__":
    main()
