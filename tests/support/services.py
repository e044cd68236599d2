"""The real services as the tests build them: the real arXiv client on the fake arXiv and fake time."""

from __future__ import annotations

from bot.infra.arxiv import ArxivSource, RequestGate
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock


def fake_arxiv_source(fake: FakeArxiv, clock: FakeClock) -> ArxivSource:
    """An ArxivSource on the fake arXiv whose 3-second gate and retry waits run on the fake clock."""
    return ArxivSource(
        fake.api_url,
        fake.rss_url,
        gate=RequestGate(3.0, clock),
        timeout=5.0,
        retries=2,
        clock=clock,
    )
