"""Log lines for operators: context fields, JSON, and no secret ever."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import ContextAndSecrets, JsonFormatter, TextFormatter, log_context


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO, logging.StreamHandler[io.StringIO]]]:
    """A logger writing JSON lines into a buffer through the production filter."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(ContextAndSecrets(["hunter2-database-password"]))
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("paperboy.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, buffer, handler
    logger.removeHandler(handler)


def lines(buffer: io.StringIO) -> list[dict[str, str]]:
    """The JSON objects written."""
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


async def test_digest_runs_in_parallel_keep_their_own_channel_and_run_id(captured) -> None:  # type: ignore[no-untyped-def]
    logger, buffer, _ = captured

    async def run(channel: str, run_id: str) -> None:
        with log_context(channel=channel, run_id=run_id):
            logger.info("start")
            await asyncio.sleep(0)
            logger.info("done")

    await asyncio.gather(run("slack:T1:C1", "aaa"), run("discord:G1:2", "bbb"))
    logger.info("outside")
    entries = lines(buffer)
    assert {(e["message"], e["channel"], e["run_id"]) for e in entries[:4]} == {
        ("start", "slack:T1:C1", "aaa"), ("done", "slack:T1:C1", "aaa"),
        ("start", "discord:G1:2", "bbb"), ("done", "discord:G1:2", "bbb"),
    }  # fmt: skip
    assert "channel" not in entries[-1] and entries[-1]["level"] == "INFO"


def test_secrets_are_redacted_from_messages_arguments_and_tracebacks(captured) -> None:  # type: ignore[no-untyped-def]
    logger, buffer, _ = captured
    logger.info("connecting with %s", "postgresql://bot:hunter2-database-password@db/paperboy")
    logger.warning("slack said no to xoxb-1234-5678-abcdefgh and xapp-1-A1-zzzzzz")
    try:
        raise RuntimeError("bad key sk-proj-abcdefghijklmnop")
    except RuntimeError:
        logger.exception("llm failed")
    text = buffer.getvalue()
    for secret in ("hunter2-database-password", "xoxb-1234", "xapp-1-A1", "sk-proj-abcdefghijklmnop"):
        assert secret not in text
    assert text.count("[redacted]") >= 4
    assert "RuntimeError" in lines(buffer)[-1]["exc"]


def test_text_lines_show_the_run_in_brackets() -> None:
    record = logging.LogRecord("bot.services.delivery", logging.INFO, __file__, 1, "posted %d", (3,), None)
    with log_context(channel="console:local:console", run_id="abc123"):
        ContextAndSecrets([]).filter(record)
    line = TextFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert line == "INFO bot.services.delivery: [console:local:console abc123] posted 3"
