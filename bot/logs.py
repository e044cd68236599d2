"""Logging for operators: one line per event on stderr, never a secret."""

from __future__ import annotations

import logging
import os

from bot.settings import Settings

NOISY_LIBRARIES = (
    "urllib3",
    "httpx",
    "httpcore",
    "aiohttp",
    "slack_bolt",
    "slack_sdk",
    "discord",
    "LiteLLM",
    "apscheduler",
    "alembic",
    "asyncio",
)


def configure_logging(settings: Settings) -> None:
    """INFO for Paperboy (LOG_LEVEL overrides), WARNING for chatty libraries that may echo URLs."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    for name in NOISY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
