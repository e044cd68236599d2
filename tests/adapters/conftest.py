"""What both chat adapters' tests share: settings on the fakes, and the real LLM explainer on the fake LLM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.infra.llm.client import load_litellm
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.llm_server import FakeLlm, settings_for


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

    A test module that wants no LLM overrides this fixture with `{}`: `build_explainer` then gives the
    abstract-only fallback.
    """
    return settings_for(fake_llm, fake_arxiv)


@pytest.fixture
def adapter_settings(tmp_path: Path, fake_arxiv: FakeArxiv, llm_settings: dict[str, Any]) -> dict[str, Any]:
    """Settings values every adapter test starts from: a temp SQLite file, the fake arXiv and LLM."""
    return {
        "data_dir": tmp_path,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'paperboy.db'}",
        "arxiv_api_url": fake_arxiv.api_url,
        "arxiv_rss_url": fake_arxiv.rss_url,
        "arxiv_categories": "cs.LG",
        **llm_settings,
    }
