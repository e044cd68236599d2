"""Logging for operators: one line per event on stderr (text or JSON), never a secret.

A digest run sets `channel` and `run_id` with `log_context`, and every line logged while it
runs (in its task) carries them.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.settings import Settings

NOISY_LIBRARIES = (
    "arxiv",  # logs every request's whole URL (kilobytes for a listing's id look-up) at INFO
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
CONTEXT_FIELDS = ("channel", "run_id")
_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("paperboy_log_context", default={})  # noqa: B039
# Shapes of tokens that must never reach a log even if someone logs a URL or an error body.
TOKEN_SHAPES = re.compile(
    r"\b(xox[abposr]-[A-Za-z0-9-]{6,}|xapp-[A-Za-z0-9-]{6,}|sk-[A-Za-z0-9_-]{12,}"
    r"|[MN][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,})"
)
REDACTED = "[redacted]"
# A log line is for reading: longer messages are cut (tracebacks are kept whole).
MAX_MESSAGE = 600


@contextlib.contextmanager
def log_context(**fields: str) -> Iterator[None]:
    """Add fields (channel=..., run_id=...) to every log line inside the block."""
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, str]:
    """The fields in force here."""
    return dict(_context.get())


class ContextAndSecrets(logging.Filter):
    """Adds the context fields and blanks out secrets, from settings or by their shape."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """The text without any secret."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_SHAPES.sub(REDACTED, text)

    @staticmethod
    def shorten(text: str) -> str:
        """At most MAX_MESSAGE characters, saying how much was left out."""
        if len(text) <= MAX_MESSAGE:
            return text
        return f"{text[:MAX_MESSAGE]}… ({len(text) - MAX_MESSAGE:,} more characters)"

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keeps the record, but rewrites its message and attaches the context (once)."""
        if getattr(record, "paperboy_filtered", False):  # a record passes every handler's filter
            return True
        record.paperboy_filtered = True
        context = _context.get()
        for name in CONTEXT_FIELDS:
            setattr(record, name, context.get(name, ""))
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self.shorten(self.scrub(message)), None
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, message, channel, run_id (and exc when any)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, "")
            if value:
                entry[name] = value
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The classic line, with `[channel run]` when a digest run is in progress."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a text line."""
        line = super().format(record)
        fields = [getattr(record, name, "") for name in CONTEXT_FIELDS]
        if any(fields):
            prefix = f"{record.levelname} {record.name}: "
            line = line.replace(prefix, f"{prefix}[{' '.join(f for f in fields if f)}] ", 1)
        return line


def _secrets(settings: Settings) -> list[str]:
    values = [
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
        settings.discord_token,
        settings.llm_api_key,
    ]
    found = [v.get_secret_value() for v in values if v is not None]
    with contextlib.suppress(Exception):
        from sqlalchemy.engine import make_url

        password = make_url(settings.resolved_database_url).password
        if password:
            found.append(str(password))
    return found


class TerminalHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is now, so lines logged while the console's prompt waits are
    printed above it (prompt_toolkit swaps `sys.stderr` for that) rather than into it."""

    @property
    def stream(self) -> TextIO:
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(settings: Settings, *, log_file: Path | None = None) -> None:
    """INFO for Paperboy (LOG_LEVEL overrides), WARNING for chatty libraries that may echo URLs.

    With `log_file` (an interactive console), every line goes to that file and only warnings and
    errors to the terminal, so the conversation stays readable.
    """
    level = logging.getLevelName(os.environ.get("LOG_LEVEL", "INFO").upper())
    level = level if isinstance(level, int) else logging.INFO
    secrets = ContextAndSecrets(_secrets(settings))
    formatter: logging.Formatter = (
        JsonFormatter()
        if settings.log_format == "json"
        else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    terminal = TerminalHandler()
    handlers: list[logging.Handler] = [terminal]
    if log_file is not None:
        terminal.setLevel(max(level, logging.WARNING))
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.addFilter(secrets)
        handler.setFormatter(formatter)
    logging.basicConfig(level=level, handlers=handlers, force=True)
    for name in NOISY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
