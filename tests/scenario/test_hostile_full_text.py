"""`explain` when the full-text server is hostile: huge, trickling or malformed bodies (issue 12).

The caps and the deadline are configured small; the tests assert what the server managed to send,
that the gate is free again and that the explanation is still written, never how fast it was.
"""

from __future__ import annotations

import pytest

from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.hostile_bodies import huge_body, trickle, unclosed_tags
from tests.fakes.llm_server import FakeLlm
from tests.scenario.conftest import MakeChat
from tests.scenario.test_llm_reading_and_budget import NHGD, SENTENCE, paper_html

OTHER = "2602.11145"
MB = 1_000_000
LIMITS = {"arxiv_full_text_deadline": 0.5, "arxiv_full_text_max_bytes": MB}


async def test_a_trickling_page_and_a_huge_pdf_leave_the_explanation_to_the_abstract_and_the_gate_free(
    make_chat: MakeChat, fake_llm: FakeLlm, fake_arxiv: FakeArxiv
) -> None:
    html = fake_arxiv.html[f"{NHGD}v1"] = trickle(b"<html><body><p>", "text/html", every=0.05)
    pdf = fake_arxiv.pdfs[f"{NHGD}v1"] = huge_body(400 * MB, "application/pdf")
    chat = await make_chat(**LIMITS)

    reply = await chat.say(f"explain {NHGD}")
    assert "from the title and abstract" in reply
    assert "Full text" not in fake_llm.requests[0].user
    assert html.finished.wait(10) and html.client_gone.is_set()  # cut at the deadline, not served out
    assert pdf.finished.wait(10) and pdf.bytes_sent < 30 * MB  # not the 400 MB
    assert chat.source.gate.waiting == 0

    # The gate is free: the next paper is looked up and read at once.
    fake_arxiv.html[f"{OTHER}v1"] = paper_html(SENTENCE)
    reply = await chat.say(f"explain {OTHER}")
    assert "from the full text (arXiv HTML: Abstract, 1 Introduction, 2 Method)" in reply
    assert SENTENCE in fake_llm.requests[-1].user


async def test_a_300_mb_page_is_read_only_as_far_as_the_explanation_needs(
    make_chat: MakeChat, fake_llm: FakeLlm, fake_arxiv: FakeArxiv
) -> None:
    page = fake_arxiv.html[f"{NHGD}v1"] = huge_body(300 * MB, "text/html")
    chat = await make_chat(**LIMITS)
    reply = await chat.say(f"explain {NHGD}")
    assert "from the full text (arXiv HTML: 1 Introduction" in reply
    assert "Hessians everywhere, and again." in fake_llm.requests[0].user
    assert page.finished.wait(10) and page.bytes_sent < 30 * MB
    assert not fake_arxiv.requests_to("/pdf/")


@pytest.mark.timeout(60)  # the extractor this replaced spent over 400 s of CPU on such a page
async def test_a_page_of_200000_unclosed_tags_is_still_read(
    make_chat: MakeChat, fake_llm: FakeLlm, fake_arxiv: FakeArxiv
) -> None:
    opening = paper_html(SENTENCE).split("</article>")[0]
    fake_arxiv.html[f"{NHGD}v1"] = page = unclosed_tags(opening, 200_000)
    assert len(page) < 2 * MB  # malformed, not huge
    chat = await make_chat(**{**LIMITS, "arxiv_full_text_max_bytes": 2 * MB})
    reply = await chat.say(f"explain {NHGD}")
    assert "from the full text (arXiv HTML: Abstract, 1 Introduction, 2 Method" in reply
    assert SENTENCE in fake_llm.requests[0].user
