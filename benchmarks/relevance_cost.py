"""What relevance costs: embedding a day, the model's memory, training and scoring 10,000 channels.

    python benchmarks/relevance_cost.py [--corpus FILE] [--papers 3000] [--channels 10000]

Figures for the targets of issue 14: a day of 3,000 abstracts embedded in under 10 s on 2 cores;
the bot's peak memory at most 100 MB more; training and scoring 10,000 channels within the
digest-cycle benchmark's budget (its cycle must stay under 60 s at 10,000 channels). Exits
non-zero if a target fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import numpy as np  # noqa: E402

from benchmarks.relevance_corpus import CORPUS, read_lines  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """This process's resident memory now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def peak_mb() -> float:
    """This process's peak resident memory so far (VmHWM)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def last_abstracts(corpus: Path, count: int) -> list[str]:
    """The last `count` papers' texts as ingest embeds them, without holding the whole corpus."""
    kept: deque[str] = deque(maxlen=count)
    for line in read_lines(corpus):
        if line.strip():
            row = json.loads(line)
            kept.append(f"{row['title']}. {row['abstract']}")
    return list(kept)


def main() -> int:
    """Measure and print each figure with its target."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--papers", type=int, default=3000)
    parser.add_argument("--channels", type=int, default=10_000)
    args = parser.parse_args()

    texts = last_abstracts(args.corpus, args.papers)
    # What `paperboy run` has loaded anyway (litellm brings pydantic, requests, tokenizers).
    import litellm  # noqa: F401

    before, peak_before = rss_mb(), peak_mb()
    started = time.perf_counter()
    from bot.relevance.embedding import load_embedder
    from bot.relevance.model import probabilities_for, train
    from bot.relevance.ranking import features

    embedder = load_embedder()
    load_s, loaded = time.perf_counter() - started, rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = embedder.embed(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after, peak = rss_mb(), peak_mb()

    rng = np.random.default_rng(1)
    day = features(vectors)
    train_ms: dict[int, tuple[float, float]] = {}
    for votes in (20, 100, 500):
        rows = day[rng.choice(len(day), votes, replace=False)]
        liked = rng.random(votes) < 0.3
        liked[:2] = True, False
        cold_started = time.process_time()
        for _ in range(20):
            model = train(rows, liked)
        cold = (time.process_time() - cold_started) / 20 * 1000
        warm_started = time.process_time()
        for _ in range(20):
            train(rows, liked, start=model)
        warm = (time.process_time() - warm_started) / 20 * 1000
        train_ms[votes] = (cold, warm)
    batch = 500
    models = [m for m in (train(day[:100], rng.random(100) < 0.3) for _ in range(batch)) if m is not None]
    score_started = time.process_time()
    probabilities_for(models, day)
    score_s = (time.process_time() - score_started) * args.channels / len(models)

    per_3000 = cpu * 3000 / len(texts)
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"model load: {load_s:.2f} s; resident memory +{loaded - before:.0f} MB once loaded")
    print(f"embedding {len(texts):,} abstracts: {wall:.2f} s wall, {cpu:.2f} s CPU")
    growth = peak - max(before, peak_before)
    print(f"memory over a process with litellm loaded: +{after - before:.0f} MB resident after embedding,")
    print(f"  peak +{growth:.0f} MB ({peak:.0f} MB in all)")
    for votes, (cold, warm) in train_ms.items():
        print(
            f"training one channel on {votes} votes: {cold:.1f} ms CPU, {warm:.1f} ms from its previous model"
        )
    print(
        f"scoring {args.channels:,} channels x {len(day):,} papers in batches of {batch}: {score_s:.2f} s CPU"
    )
    retrain_all = train_ms[100][1] * args.channels / 1000
    print(f"retraining all {args.channels:,} channels (100 votes each, warm): {retrain_all:.1f} s CPU")
    targets = [
        # CPU time: wall time on this shared machine counts other sessions' work too.
        (f"embedding 3,000 abstracts < 10 s: {per_3000:.2f} s CPU", per_3000 < 10),
        (
            f"model memory < 100 MB: +{peak - max(before, peak_before):.0f} MB peak",
            peak - max(before, peak_before) < 100,
        ),
        (f"scoring {args.channels:,} channels < 5 s: {score_s:.2f} s", score_s < 5),
    ]
    for text, passed in targets:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    return 0 if all(passed for _, passed in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())
