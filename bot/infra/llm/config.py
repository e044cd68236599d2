"""Which LLM to call: LLM_PROVIDER and LLM_MODEL become one litellm model name and its key."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import SecretStr

if TYPE_CHECKING:
    from bot.settings import Settings

# A small, cheap, capable model per provider; LLM_MODEL overrides it.
DEFAULT_MODELS = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-3-5-haiku-latest",
    "gemini": "gemini-2.0-flash",
    "azure": "gpt-4o-mini",  # Azure wants the deployment name: set LLM_MODEL to it
    "ollama": "llama3.1",
    "ollama_chat": "llama3.1",
    "openrouter": "openai/gpt-4o-mini",
    "groq": "llama-3.1-8b-instant",
    "mistral": "mistral-small-latest",
    "deepseek": "deepseek-chat",
    "together_ai": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
}
# The provider's own variable, used when LLM_API_KEY is not set.
KEY_VARIABLES = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "azure": "AZURE_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "groq": "GROQ_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "together_ai": "TOGETHERAI_API_KEY",
    "cohere": "COHERE_API_KEY",
}
# Local servers that need no key.
KEYLESS_PROVIDERS = {"ollama", "ollama_chat", "lm_studio", "hosted_vllm", "llamafile"}
# Sent to an OpenAI-compatible server at a custom LLM_API_BASE (vLLM, LM Studio) that wants no key.
PLACEHOLDER_KEY = "no-key"


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """A usable LLM configuration: the litellm model name, its key and where to reach it."""

    provider: str
    model: str
    api_key: SecretStr | None
    api_base: str
    timeout: float
    max_retries: int
    retry_wait: float

    @classmethod
    def from_settings(cls, settings: Settings) -> LlmConfig | None:
        """The configuration, or None when no provider is set or it lacks a key."""
        provider = settings.llm_provider.strip().lower()
        if not provider:
            return None
        key = resolve_key(provider, settings.llm_api_key, settings.llm_api_base)
        if key is None and not is_keyless(provider, settings.llm_api_base):
            return None
        return cls(
            provider=provider,
            model=model_name(provider, settings.llm_model),
            api_key=key,
            api_base=settings.llm_api_base.strip() or _default_base(provider),
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
            retry_wait=settings.llm_retry_wait,
        )


def model_name(provider: str, model: str) -> str:
    """`openai` + `gpt-4o-mini` -> `openai/gpt-4o-mini`; a model already prefixed stays as it is."""
    chosen = model.strip() or DEFAULT_MODELS.get(provider, "")
    if not chosen:
        raise ValueError(
            f"LLM_PROVIDER={provider} has no default model: set LLM_MODEL, e.g. {provider}/<name>"
        )
    return chosen if chosen.startswith(f"{provider}/") else f"{provider}/{chosen}"


def resolve_key(provider: str, configured: SecretStr | None, api_base: str) -> SecretStr | None:
    """LLM_API_KEY, else the provider's own variable, else a placeholder for a keyless server."""
    if configured is not None and configured.get_secret_value().strip():
        return SecretStr(configured.get_secret_value().strip())
    variable = KEY_VARIABLES.get(provider)
    value = os.environ.get(variable, "").strip() if variable else ""
    if value:
        return SecretStr(value)
    if provider == "openai" and api_base.strip():
        return SecretStr(PLACEHOLDER_KEY)
    return None


def is_keyless(provider: str, api_base: str) -> bool:
    """Local servers (Ollama, an OpenAI-compatible server at LLM_API_BASE) run without a key."""
    return provider in KEYLESS_PROVIDERS or (provider == "openai" and bool(api_base.strip()))


def _default_base(provider: str) -> str:
    if provider in ("ollama", "ollama_chat"):
        return os.environ.get("OLLAMA_API_BASE", "").strip()
    return ""
