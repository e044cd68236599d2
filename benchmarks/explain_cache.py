"""Benchmark: digests for 1,000 channels sharing 200 papers make one LLM call per paper; cached
`explain` is fast.

    /work/main/.venv/bin/python benchmarks/explain_cache.py [--channels 1000] [--papers 200]

Everything is real (services, SQLite in a temporary folder, litellm) except the far ends: a local
fake arXiv (its request gate on a fake clock, so arXiv's 3-second spacing costs no wall time) and
a local fake OpenAI-compatible LLM server that answers at once.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from pydantic import SecretStr

from bot.app import Services, build_services
from bot.domain.channel import Actor, ChannelRef
from bot.domain.commands import Explain, Subscribe
from bot.domain.digest import Digest, DigestItem
from bot.domain.paper import Paper
from bot.domain.replies import PaperCard, Reply
from bot.infra.arxiv import ArxivSource, RequestGate
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.fakes.llm_server import FakeLlm
from tests.fixtures.seed_papers import SEED_DAY

SYLLABLES = ("ba", "ko", "ri", "mu", "te", "za", "lo", "ne", "shi", "vu", "da", "pe", "gi", "fo", "xa")
ACTOR = Actor("bench", "bench", can_manage=True)
SAMPLES = 400


class CountingPublisher:
    """A platform that accepts every post and remembers which papers it got."""

    platform = "bench"

    def __init__(self) -> None:
        self.papers: set[str] = set()
        self.posts = 0

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        self.posts += 1
        return f"h{self.posts}"

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        self.papers.add(item.paper.arxiv_id)
        self.posts += 1
        return f"i{self.posts}"

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        self.posts += 1
        return f"r{self.posts}"


def words(n: int) -> list[str]:
    """n distinct made-up words, so each topic selects exactly one paper."""
    found = ["".join(parts) for parts in itertools.product(SYLLABLES, repeat=3)]
    random.Random(7).shuffle(found)
    return found[:n]


def paper(n: int, word: str) -> Paper:
    return Paper(
        arxiv_id=f"2602.{30000 + n:05d}",
        version=1,
        title=f"On {word} operators and their convergence",
        authors=(f"Author {n}",),
        abstract=f"We study {word} operators, prove a convergence rate and test them on benchmarks.",
        categories=("cs.LG",),
        primary_category="cs.LG",
        published=SEED_DAY,
        updated=SEED_DAY,
    )


def html(p: Paper) -> str:
    body = f"<p>{p.abstract} " + "The analysis bounds the error by a geometric series. " * 40 + "</p>"
    return f"<html><body><h2>1 Introduction</h2>{body}<h2>2 Method</h2>{body}</body></html>"


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def explain_times(services: Services, channels: list[ChannelRef], ids: list[str]) -> list[float]:
    """Wall time of `explain` through the engine, one request at a time."""
    engine = services.engine
    times = []
    for channel, arxiv_id in zip(itertools.cycle(channels), ids, strict=False):
        start = time.perf_counter()
        reply = (await engine.handle(channel, ACTOR, Explain(arxiv_id))).reply
        times.append(time.perf_counter() - start)
        assert isinstance(reply, PaperCard), reply
    return times


async def run(channel_count: int, paper_count: int) -> None:
    topic_words = words(paper_count)
    papers = [paper(n, w) for n, w in enumerate(topic_words)]
    # Papers in the listing that no channel follows: the uncached baseline explains these.
    spare = [paper(paper_count + n, w) for n, w in enumerate(words(paper_count + 100)[paper_count:])]
    with tempfile.TemporaryDirectory() as folder, FakeArxiv([]) as arxiv, FakeLlm() as llm:
        for p in papers + spare:
            arxiv.add_paper(p, "new")
            arxiv.html[p.versioned_id] = html(p)
        settings = Settings(
            _env_file=None,
            data_dir=Path(folder),
            database_url=f"sqlite+aiosqlite:///{folder}/bench.db",
            arxiv_api_url=arxiv.api_url,
            arxiv_rss_url=arxiv.rss_url,
            arxiv_html_url=arxiv.html_url,
            arxiv_pdf_url=arxiv.pdf_url,
            arxiv_categories="cs.LG",
            llm_provider="openai",
            llm_model="bench-model",
            llm_api_base=llm.api_base,
            llm_api_key=SecretStr(llm.api_key),
            # One made-up person asks for every uncached explanation: no per-person allowance, or
            # most of the baseline would time refusals instead of LLM calls.
            llm_daily_tokens_per_user=0,
        )
        clock = FakeClock()
        source = ArxivSource(
            arxiv.api_url, arxiv.rss_url, gate=RequestGate(3.0, clock), timeout=10, retries=2
        )
        services = await build_services(settings, clock=clock, source=source)
        engine = services.engine
        channels = [ChannelRef("bench", "W1", f"C{n:04d}") for n in range(channel_count)]
        started = time.perf_counter()
        for n, channel in enumerate(channels):
            for k in (n, n * 7 + 3, n * 13 + 5):
                await engine.handle(channel, ACTOR, Subscribe(topic_words[k % paper_count]))
        setup = time.perf_counter() - started

        publisher = CountingPublisher()
        engine.register_publisher(publisher)
        started = time.perf_counter()
        posted = (await engine.delivery.run(channels)).papers_posted
        digests = time.perf_counter() - started
        calls_after_digests = llm.calls

        rng = random.Random(11)
        cached_ids = [rng.choice(papers).arxiv_id for _ in range(SAMPLES)]
        cached = await explain_times(services, channels, cached_ids)
        uncached = await explain_times(services, channels, [p.arxiv_id for p in spare])
        calls_for_uncached = llm.calls - calls_after_digests
        await services.close()
        source.close()

    print(
        f"channels: {channel_count:,}  distinct papers delivered: {len(publisher.papers):,}  "
        f"papers posted: {posted:,}  (setup {setup:.1f} s, digests {digests:.1f} s)"
    )
    print(
        f"LLM calls for the digests: {calls_after_digests:,}  distinct papers: {len(publisher.papers):,}  "
        f"-> {'EQUAL' if calls_after_digests == len(publisher.papers) else 'NOT EQUAL'}"
    )
    print(
        f"cached /explain through Engine.handle ({len(cached)} runs): "
        f"p50 {percentile(cached, 50) * 1000:.2f} ms  p95 {percentile(cached, 95) * 1000:.2f} ms"
    )
    print(
        f"baseline, uncached /explain ({len(uncached)} runs, {calls_for_uncached} LLM calls; full text from "
        f"the fake arXiv, an LLM answering at once): p50 {percentile(uncached, 50) * 1000:.2f} ms  "
        f"p95 {percentile(uncached, 95) * 1000:.2f} ms"
    )
    if calls_after_digests != len(publisher.papers):
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--papers", type=int, default=200)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.channels, args.papers))


if __name__ == "__main__":
    main()
