"""The relevance lab's inputs: real arXiv days from the shared corpus, and the simulated channels.

A channel has a hidden interest (arXiv categories) and the topic its team would type, one that
also catches unrelated papers. The interest is only ever read by the simulated team (to vote) and
by the scorer (to count relevant papers); rankers see titles, abstracts, authors and votes.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from bot.domain.paper import Paper

_ROOT = Path(__file__).resolve().parents[1]
_SHARED = Path("shared") / "arxiv" / "listings-2025.jsonl.gz"
# `../shared` beside the checkout; a worktree one level deeper finds it further up.
CORPUS = next((d / _SHARED for d in _ROOT.parents if (d / _SHARED).exists()), _ROOT.parent / _SHARED)


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A simulated channel: what its team cares about, and the words it typed."""

    name: str
    interest: frozenset[str]
    topic: str


# The seven, then three of our own: sound (speech and audio papers are also in cs.CL and
# cs.CV), information retrieval (`retrieval` also catches RAG in cs.CL), and stellar astrophysics
# (`star OR stellar` also catches galaxies and star formation in astro-ph.GA).
DEFAULT_CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec("representation-theory", frozenset({"math.RT"}), "representation"),
    ChannelSpec("graphics", frozenset({"cs.GR"}), "rendering"),
    ChannelSpec("information-theory", frozenset({"cs.IT"}), "channel"),
    ChannelSpec("exoplanets", frozenset({"astro-ph.EP"}), "planet"),
    ChannelSpec("robotics", frozenset({"cs.RO"}), "robot"),
    ChannelSpec("cosmology", frozenset({"astro-ph.CO"}), '"dark matter" OR cosmology'),
    ChannelSpec("computational-linguistics", frozenset({"cs.CL"}), '"language model"'),
    ChannelSpec("sound", frozenset({"cs.SD", "eess.AS"}), "speech OR audio"),
    ChannelSpec("information-retrieval", frozenset({"cs.IR"}), "retrieval"),
    ChannelSpec("stellar", frozenset({"astro-ph.SR"}), "star OR stellar"),
)


def read_channels(path: Path) -> tuple[ChannelSpec, ...]:
    """Channels from a JSON list of `{"name", "interest": [categories], "topic"}`."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return tuple(ChannelSpec(c["name"], frozenset(c["interest"]), c["topic"]) for c in raw)


def read_lines(path: Path) -> Iterator[str]:
    """The corpus file's lines, gzipped or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:
        yield from stream


def read_days(path: Path, days: int | None = None) -> list[tuple[date, list[Paper]]]:
    """The corpus as announcement days in order, each day's papers by id (as arXiv lists them)."""
    by_day: dict[date, list[Paper]] = defaultdict(list)
    for line in read_lines(path):
        if line.strip():
            paper = _paper(json.loads(line))
            assert paper.announced is not None
            by_day[paper.announced].append(paper)
    ordered = sorted(by_day.items())[:days] if days else sorted(by_day.items())
    return [(day, sorted(papers, key=lambda p: p.arxiv_id)) for day, papers in ordered]


def _paper(row: dict[str, object]) -> Paper:
    listed = date.fromisoformat(str(row["listing_date"]))
    stamp = datetime.combine(listed, time(), tzinfo=UTC)
    categories = tuple(str(c) for c in row["categories"])  # type: ignore[attr-defined]
    return Paper(
        arxiv_id=str(row["id"]),
        version=1,
        title=str(row["title"]),
        authors=tuple(str(a) for a in row["authors"]),  # type: ignore[attr-defined]
        abstract=str(row["abstract"]),
        categories=categories,
        primary_category=str(row.get("primary_category") or categories[0]),
        published=stamp,
        updated=stamp,
        comment=str(row["comment"]) if row.get("comment") else None,
        announced=listed,
    )


def is_relevant(paper: Paper, channel: ChannelSpec) -> bool:
    """The protocol's ground truth: some category of the paper is in the channel's interest."""
    return not channel.interest.isdisjoint(paper.categories)


def relevant_count(papers: Sequence[Paper], channel: ChannelSpec) -> int:
    """How many of a day's papers the channel would want."""
    return sum(is_relevant(p, channel) for p in papers)
