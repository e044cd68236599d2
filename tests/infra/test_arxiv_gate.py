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

from bot.infra.arxiv import ArxivSource, Priority, RequestGate, SystemClock
from bot.infra.arxiv.gate import RECENT_REQUESTS
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


def _wait_until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Poll a condition another thread will make true (never a fixed sleep)."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition never came true"
        time.sleep(0.005)


def _run_queued(gate: RequestGate, queued: list[tuple[str, Priority]]) -> list[str]:
    """Hold the slot, queue these requests one after another, release: the order they ran in."""
    order: list[str] = []
    release = threading.Event()

    def hold() -> None:
        with gate.slot(Priority.ON_DEMAND):
            release.wait(10)

    def request(name: str, priority: Priority) -> None:
        with gate.slot(priority):
            order.append(name)

    threads = [threading.Thread(target=hold)]
    threads[0].start()
    _wait_until(lambda: gate.requests_made == 1)
    for n, (name, priority) in enumerate(queued, start=1):
        threads.append(threading.Thread(target=request, args=(name, priority)))
        threads[-1].start()
        _wait_until(lambda n=n: gate.waiting == n)  # type: ignore[misc]
    release.set()
    for thread in threads:
        thread.join(10)
    return order


def test_the_listing_goes_before_on_demand_requests_already_waiting(clock: FakeClock) -> None:
    gate = RequestGate(3.0, clock)
    queued = [("explain", Priority.ON_DEMAND), ("rss", Priority.LISTING), ("lookup", Priority.LISTING)]
    queued.append(("full text", Priority.ON_DEMAND))
    assert _run_queued(gate, queued) == ["rss", "lookup", "explain", "full text"]
    assert all(b - a >= 3.0 for a, b in pairwise(gate.request_times))


def test_a_long_listing_still_lets_a_waiting_explain_through_every_few_requests(clock: FakeClock) -> None:
    gate = RequestGate(3.0, clock, listing_streak=2)
    queued = [("explain", Priority.ON_DEMAND), *((f"L{n}", Priority.LISTING) for n in range(1, 6))]
    assert _run_queued(gate, queued) == ["L1", "L2", "explain", "L3", "L4", "L5"]


async def test_the_daily_listing_and_its_look_ups_overtake_explains_waiting_at_the_gate(
    make_source: SourceFactory, fake_arxiv: FakeArxiv
) -> None:
    # A real (short) interval: the next request is chosen when it is over, by which time the
    # listing has sent its look-up, a moment after its RSS request ended.
    source = make_source(gate=RequestGate(0.5, SystemClock()))
    fake_arxiv.stall_next(1, seconds=0.3, path="/api")  # the first explain holds the gate a while
    first = asyncio.create_task(source.fetch_papers([LATEX_ID]))
    await asyncio.to_thread(_wait_until, lambda: source.gate.requests_made == 1)
    second = asyncio.create_task(source.fetch_papers([UNICODE_ID]))
    await asyncio.to_thread(_wait_until, lambda: source.gate.waiting == 1)
    listing = asyncio.create_task(source.fetch_new_papers(["stat.ML"]))
    await asyncio.gather(first, second, listing)

    asked = [r.query.get("id_list") or r.path for r in fake_arxiv.requests]
    assert asked[0] == LATEX_ID and asked[1] == "/rss/stat.ML"
    assert asked[2] not in (LATEX_ID, UNICODE_ID)  # the listing's own look-up, of its ids
    assert asked[3] == UNICODE_ID  # the explain that was waiting first went last


def test_the_gate_remembers_a_bounded_window_of_start_times_and_exact_counts(clock: FakeClock) -> None:
    gate = RequestGate(3.0, clock)
    for _ in range(RECENT_REQUESTS + 500):
        with gate.slot():
            pass
    assert gate.requests_made == RECENT_REQUESTS + 500
    assert len(gate.request_times) == RECENT_REQUESTS
    assert gate.request_times[-1] - gate.request_times[0] == 3.0 * (RECENT_REQUESTS - 1)
    assert len(gate.request_times_since(gate.requests_made - 7)) == 7
