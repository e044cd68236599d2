"""Log lines for operators: context fields, JSON, and no secret ever."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import (
    MAX_MESSAGE,
    ContextAndSecrets,
    JsonFormatter,
    TextFormatter,
    configure_logging,
    log_context,
)
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.support.services import fake_arxiv_source


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


@pytest.fixture
def configured(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """Logging as `paperboy` sets it up, restored afterwards (it replaces the root handlers)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging(Settings(_env_file=None))
    capsys.readouterr()
    yield capsys
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_the_arxiv_librarys_request_urls_stay_out_and_long_lines_are_cut(
    configured: pytest.CaptureFixture[str], fake_arxiv: FakeArxiv
) -> None:
    source = fake_arxiv_source(fake_arxiv, FakeClock())
    ids = [f"2602.{n:05d}" for n in range(300)]  # a listing's look-up: a URL of kilobytes
    await source.fetch_papers(ids)
    source.close()
    logging.getLogger("bot.test").warning("asked for %s", ",".join(ids))

    shown = configured.readouterr().err
    assert "Requesting page" not in shown  # the arxiv library's INFO line with the whole URL
    line = next(line for line in shown.splitlines() if "asked for" in line)
    assert line.endswith(f"… ({len('asked for ') + len(','.join(ids)) - MAX_MESSAGE:,} more characters)")
    assert len(line) < MAX_MESSAGE + 120
