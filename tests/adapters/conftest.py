"""What both chat adapters' tests share: the real LLM explainer, pointed at the fake LLM server."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from bot.infra.llm.client import load_litellm
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.llm_server import FakeLlm


@pytest.fixture(scope="session")
def litellm_loaded() -> None:
    """Import litellm once per test session, before any bot starts.

    Its first import takes several seconds. Without this, the first explanation of the session would
    import it (in a worker thread, competing with the event loop for the GIL), and the "acknowledged
    within 3 seconds" tests would measure the import rather than the adapter.
    """
    load_litellm()


@pytest.fixture
def llm_settings(fake_llm: FakeLlm, fake_arxiv: FakeArxiv, litellm_loaded: None) -> dict[str, Any]:
    """Settings under which `build_services` builds the real LlmExplainer, talking to the fake LLM.

    The same as `make_chat` in tests/scenario/conftest.py. A test module that wants no LLM overrides
    this fixture with `{}`: `build_explainer` then gives the abstract-only fallback.
    """
    return {
        "llm_provider": "openai",
        "llm_model": "fake-model",
        "llm_api_base": fake_llm.api_base,
        "llm_api_key": SecretStr(fake_llm.api_key),
        "llm_retry_wait": 0.01,
        "llm_max_retries": 2,
        "arxiv_html_url": fake_arxiv.html_url,
        "arxiv_pdf_url": fake_arxiv.pdf_url,
    }
