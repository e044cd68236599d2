"""The LLM behind explanations: litellm, configured from the settings, imported only when used."""

from bot.infra.llm.client import LlmClient, load_litellm
from bot.infra.llm.config import LlmConfig

__all__ = ["LlmClient", "LlmConfig", "load_litellm"]
