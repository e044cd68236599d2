"""The transport every arXiv request shares: our User-Agent, and a guard on the arxiv library's insides."""

from __future__ import annotations

from typing import Any

import arxiv
import pytest

from bot.infra.arxiv import ArxivSource
from bot.infra.arxiv.fulltext import ArxivFullText
from bot.infra.arxiv.transport import (
    USER_AGENT,
    ArxivLibraryChanged,
    arxiv_library_version,
    check_arxiv_library,
)
from tests.fakes.arxiv_papers import LATEX_ID
from tests.fakes.arxiv_server import FakeArxiv


async def test_every_request_names_paperboy_api_rss_html_and_pdf(
    source: ArxivSource, fake_arxiv: FakeArxiv
) -> None:
    # The arxiv library sends `user-agent: arxiv.py/...` with each request, over the session's header.
    await source.fetch_papers([LATEX_ID])
    await source.search("all:convergence", max_results=2)
    await source.fetch_listing(["cs.LG"])
    full_text = ArxivFullText(fake_arxiv.html_url, fake_arxiv.pdf_url, gate=source.gate, timeout=5.0)
    try:
        assert await full_text.fetch(f"{LATEX_ID}v1") is None  # the fake has neither: both are asked
    finally:
        full_text.close()
    seen = {r.path.split("/")[1]: r.headers.get("user-agent") for r in fake_arxiv.requests}
    assert seen == {"api": USER_AGENT, "rss": USER_AGENT, "html": USER_AGENT, "pdf": USER_AGENT}
    assert all(r.headers.get("user-agent") == USER_AGENT for r in fake_arxiv.requests)
    assert USER_AGENT.startswith("paperboy-bot/")


def test_the_installed_arxiv_library_keeps_its_session_where_we_replace_it() -> None:
    check_arxiv_library()  # what ArxivSource does at start-up


class _MovedSession(arxiv.Client):
    """A stand-in for a future arxiv release that keeps its session under another name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http_session = self.__dict__.pop("_session")


def test_a_library_that_moved_its_session_stops_paperboy_at_start_with_a_clear_message() -> None:
    with pytest.raises(ArxivLibraryChanged) as raised:
        check_arxiv_library(_MovedSession)
    message = str(raised.value)
    assert f"arxiv {arxiv_library_version()} no longer keeps its HTTP session in `Client._session`" in message
    assert "arxiv==4.0.2" in message and "request gate" in message
