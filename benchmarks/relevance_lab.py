"""Relevance lab: replay real arXiv days and measure how well three rankers serve simulated teams.

    python benchmarks/relevance_lab.py [--corpus FILE] [--channels FILE] [--days N] [--seed S]

The protocol is issue 14's. Each simulated channel has a hidden interest (arXiv categories) and
a typed topic that also catches unrelated papers. Every announcement day, each ranker builds each
channel's digest (at most `--per-digest` papers) from that day's listing; the channel's team
votes on about half of the items it is shown (👍 when a category of the paper is in the interest,
👎 otherwise), and only that ranker learns from those votes: each ranker has its own copy of every
channel. From day 16 on, each digest is scored: precision = relevant shown / shown (days that
showed something), recall = relevant shown / min(papers per digest, relevant that day) (days with
a relevant paper); per channel, F1 of the two means; the last line printed is one JSON object
with the means over channels.

Rankers:
- words: today's matching, the product's own `parse_topic` and `PaperIndex`, best score first.
- svm: arxiv-sanity's recipe (tf-idf of title, abstract and authors, 1-2 grams, and a linear SVM
  with balanced classes) trained on the channel's votes, ranking every paper of the day; words
  until the votes hold both kinds.
- paperboy: `bot.relevance`, the product's ranking (see `benchmarks/relevance_rankers.py`).

Rankers never read a paper's categories: the topics here name none (`cat:` would be allowed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
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
from benchmarks.relevance_rankers import Day, Ranker, build_rankers  # noqa: E402

FIRST_SCORED_DAY = 16


@dataclass
class Tally:
    """One ranker's digests for one channel, from the first scored day on."""

    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    shown: int = 0
    votes: int = 0

    def figures(self) -> dict[str, float]:
        """Mean precision, mean recall, and the F1 of those two means."""
        p = sum(self.precisions) / len(self.precisions) if self.precisions else 0.0
        r = sum(self.recalls) / len(self.recalls) if self.recalls else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f1}


def votes_on(seed: int, channel: str, arxiv_id: str) -> bool:
    """Whether the team votes on this item: about half, the same item for every ranker."""
    digest = hashlib.blake2b(f"{seed}:{channel}:{arxiv_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 2 == 0


def replay(
    days: Sequence[Day],
    channels: Sequence[ChannelSpec],
    rankers: Sequence[Ranker],
    per_digest: int,
    seed: int,
) -> dict[str, list[Tally]]:
    """Run every day through every ranker's copy of every channel; return the tallies."""
    tallies = {r.name: [Tally() for _ in channels] for r in rankers}
    for number, day in enumerate(days, start=1):
        relevant = [[is_relevant(p, c) for p in day.papers] for c in channels]
        for ranker in rankers:
            for c, channel in enumerate(channels):
                shown = ranker.choose(c, day, per_digest)[:per_digest]
                hits = sum(relevant[c][i] for i in shown)
                votes = [
                    (i, relevant[c][i]) for i in shown if votes_on(seed, channel.name, day.papers[i].arxiv_id)
                ]
                ranker.learn(c, day, votes)
                if number < FIRST_SCORED_DAY:
                    continue
                tally = tallies[ranker.name][c]
                tally.shown += len(shown)
                tally.votes += len(votes)
                if shown:
                    tally.precisions.append(hits / len(shown))
                if wanted := sum(relevant[c]):
                    tally.recalls.append(hits / min(per_digest, wanted))
    return tallies


def summary(tallies: dict[str, list[Tally]]) -> dict[str, object]:
    """Means over channels for each ranker, the issue's JSON shape."""
    result: dict[str, object] = {}
    for name, per_channel in tallies.items():
        figures = [t.figures() for t in per_channel]
        result[name] = {k: round(sum(f[k] for f in figures) / len(figures), 4) for k in figures[0]}
    result["channels"] = len(next(iter(tallies.values())))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, replay, print the per-channel table and the JSON line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--channels", type=Path, default=None)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-digest", type=int, default=10)
    parser.add_argument(
        "--rankers",
        default="words,svm,paperboy",
        help="any of words, svm, paperboy, paperboy-quality-high (the `settings quality high` cut)",
    )
    args = parser.parse_args(argv)

    channels = read_channels(args.channels) if args.channels else DEFAULT_CHANNELS
    started = time.perf_counter()
    raw_days = read_days(args.corpus, args.days)
    papers = sum(len(p) for _, p in raw_days)
    print(f"corpus: {papers:,} papers over {len(raw_days)} days; {len(channels)} channels", file=sys.stderr)
    rankers, days, costs = build_rankers(args.rankers.split(","), raw_days, channels)
    tallies = replay(days, channels, rankers, args.per_digest, args.seed)
    wall = time.perf_counter() - started

    names = [r.name for r in rankers]
    print(f"{'channel':28}" + "".join(f"{n:>24}" for n in names))
    for c, channel in enumerate(channels):
        row = f"{channel.name:28}"
        for n in names:
            f = tallies[n][c].figures()
            row += f"   P {f['precision']:.2f} R {f['recall']:.2f} F {f['f1']:.2f}"
        print(row)
    for name, value in costs.items():
        print(f"{name}: {value}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"wall time: {wall:.1f} s; peak memory {peak:.0f} MB")
    print(json.dumps(summary(tallies)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
