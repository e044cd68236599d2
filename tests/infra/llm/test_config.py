"""LLM_PROVIDER, LLM_MODEL and the keys: which litellm model is called, and when none is."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.infra.llm import LlmConfig
from bot.settings import Settings


def config(**values: object) -> LlmConfig | None:
    return LlmConfig.from_settings(Settings(_env_file=None, **values))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("provider", "model", "expected"),
    [
        ("openai", "", "openai/gpt-4o-mini"),
        ("openai", "gpt-4.1", "openai/gpt-4.1"),
        ("openai", "openai/gpt-4.1", "openai/gpt-4.1"),
        ("Anthropic", "claude-sonnet-4-5", "anthropic/claude-sonnet-4-5"),
        ("gemini", "", "gemini/gemini-2.0-flash"),
        ("openrouter", "", "openrouter/openai/gpt-4o-mini"),
        ("azure", "my-deployment", "azure/my-deployment"),
    ],
)
def test_provider_and_model_become_one_litellm_name(provider: str, model: str, expected: str) -> None:
    found = config(llm_provider=provider, llm_model=model, llm_api_key=SecretStr("k"))
    assert found is not None and found.model == expected


def test_nothing_configured_means_no_llm() -> None:
    assert config() is None
    assert config(llm_provider="openai") is None  # a hosted provider without a key


def test_the_providers_own_key_variable_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "from-the-environment")
    found = config(llm_provider="anthropic")
    assert found is not None and found.api_key is not None
    assert found.api_key.get_secret_value() == "from-the-environment"
    assert "from-the-environment" not in repr(found)


def test_ollama_needs_no_key_and_has_a_default_model() -> None:
    found = config(llm_provider="ollama", llm_api_base="http://127.0.0.1:11434")
    assert found is not None
    assert (found.model, found.api_key, found.api_base) == ("ollama/llama3.1", None, "http://127.0.0.1:11434")


def test_an_openai_compatible_local_server_needs_no_key() -> None:
    found = config(llm_provider="openai", llm_model="qwen2.5", llm_api_base="http://127.0.0.1:8000/v1")
    assert found is not None and found.model == "openai/qwen2.5"


def test_an_unknown_provider_without_a_model_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="set LLM_MODEL"):
        config(llm_provider="someprovider", llm_api_key=SecretStr("k"))
