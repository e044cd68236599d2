"""The request gate: one arXiv request at a time, starts at least `min_interval` apart."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from itertools import pairwise

import requests

from bot.infra.arxiv import ArxivSource, RequestGate, SystemClock
from bot.settings import Settings
from tests.fakes.arxiv_papers import LATEX_ID, UNICODE_ID
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock

SourceFactory = Callable[..., ArxivSource]


async def test_every_request_start_is_3_seconds_apart_including_retries(
    source: ArxivSource, fake_arxiv: FakeArxiv, clock: FakeClock
) -> None:
    fake_arxiv.fail_next(2)
    fake_arxiv.empty_next(1, path="/api")
    await source.fetch_papers([LATEX_ID])
    await source.search("all:convergence", max_results=3)
    await source.fetch_new_papers(["stat.ML"])
    await source.fetch_listing(["cs.LG"])
    times = source.gate.request_times
    assert len(times) == source.gate.requests_made == len(fake_arxiv.requests) == 8
    assert all(later - earlier >= 3.0 for earlier, later in pairwise(times))
    assert clock.monotonic() - times[0] >= 3.0 * 7


async def test_concurrent_calls_never_overlap_at_arxiv(source: ArxivSource, fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.latency = 0.05
    await asyncio.gather(
        source.fetch_papers([LATEX_ID]),
        source.search("cat:stat.ML"),
        source.fetch_listing(["cs.LG"]),
        source.fetch_papers([UNICODE_ID]),
    )
    assert len(fake_arxiv.requests) == 4
    assert fake_arxiv.max_in_flight == 1


async def test_the_fake_does_see_overlap_without_a_shared_gate(
    make_source: SourceFactory, fake_arxiv: FakeArxiv, clock: FakeClock
) -> None:
    # Proves the previous test can fail: two gates let two requests run at once.
    fake_arxiv.latency = 0.2
    first, second = make_source(), make_source(gate=RequestGate(3.0, clock))
    await asyncio.gather(first.fetch_papers([LATEX_ID]), second.fetch_papers([UNICODE_ID]))
    assert fake_arxiv.max_in_flight == 2


def test_gate_holds_a_real_interval_and_one_slot_with_the_system_clock() -> None:
    gate = RequestGate(0.05, SystemClock())
    spans: list[tuple[float, float]] = []

    def request() -> None:
        with gate.slot():
            entered = time.monotonic()
            time.sleep(0.01)
            spans.append((entered, time.monotonic()))

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gate.requests_made == 4
    assert all(b - a >= 0.05 for a, b in pairwise(gate.request_times))
    spans.sort()
    assert all(done <= next_start for (_, done), (next_start, _) in pairwise(spans))


def test_from_settings_uses_the_configured_urls_and_limits(fake_arxiv: FakeArxiv) -> None:
    settings = Settings(_env_file=None, arxiv_api_url=fake_arxiv.api_url, arxiv_rss_url=fake_arxiv.rss_url)
    source = ArxivSource.from_settings(settings)
    assert (source.api_url, source.rss_url) == (fake_arxiv.api_url, fake_arxiv.rss_url)
    assert source.gate.min_interval == 3.0 and source.tries == 5
    source.close()


def test_fake_arxiv_runs_standalone() -> None:
    command = [sys.executable, "-m", "tests.fakes.arxiv_server", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            response = requests.get(f"{url}/rss/cs.LG", timeout=5)
            assert response.status_code == 200 and "oai:arXiv.org:" in response.text
            api = requests.get(f"{url}/api/query", params={"id_list": LATEX_ID}, timeout=5)
            assert f"<id>http://arxiv.org/abs/{LATEX_ID}v1</id>" in api.text
        finally:
            process.terminate()
        assert process.wait(timeout=5) == 0
