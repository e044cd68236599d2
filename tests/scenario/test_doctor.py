"""`paperboy doctor` against a fake arXiv and fake Slack and Discord token checks."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli import run_checks
from bot.infra.storage.database import create_engine
from bot.infra.storage.migrate import upgrade_database
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.platform_auth import DISCORD_TOKEN, SLACK_TOKEN, FakePlatformAuth
from tests.support.processes import clean_env


@pytest.fixture
async def platforms() -> AsyncIterator[FakePlatformAuth]:
    """Fake token checks for Slack and Discord."""
    async with FakePlatformAuth() as fake:
        yield fake


@pytest.fixture
def base(tmp_path: Path, fake_arxiv: FakeArxiv, platforms: FakePlatformAuth) -> dict[str, str]:
    """Environment variables of a deployment on the fakes, with good tokens and no LLM."""
    return {
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'paperboy.db'}",
        "ARXIV_API_URL": fake_arxiv.api_url,
        "ARXIV_RSS_URL": fake_arxiv.rss_url,
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_APP_TOKEN": "xapp-1-A1-good",
        "SLACK_API_URL": platforms.slack_api_url,
        "DISCORD_TOKEN": DISCORD_TOKEN,
        "DISCORD_API_URL": platforms.discord_api_url,
    }


def settings_from(env: dict[str, str]) -> Settings:
    """Settings as the process would read them from these variables."""
    return Settings(_env_file=None, **{k.lower(): v for k, v in env.items()})


async def doctor(env: dict[str, str]) -> tuple[int, str]:
    """Run `paperboy doctor` as a process while this loop serves the fakes."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "doctor",
        env=clean_env(**{"COLUMNS": "200", **env}),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=env["DATA_DIR"],
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode or 0, out.decode()


async def test_a_good_configuration_passes_with_the_llm_as_a_warning(
    base: dict[str, str], database_url: str, platforms: FakePlatformAuth
) -> None:
    env = {**base, "DATABASE_URL": database_url}
    engine = create_engine(database_url)
    await upgrade_database(engine)
    await engine.dispose()

    code, out = await doctor(env)
    assert code == 0, out
    lines = out.splitlines()
    assert any(line.startswith("✓ Database:") and "(newest)" in line for line in lines), out
    assert any(line.startswith("✓ arXiv:") for line in lines), out
    assert "! LLM: not configured: digests show abstracts" in out
    assert "✓ Slack: bot token accepted: paperboy in Lab" in out
    assert "✓ Discord: token accepted: paperboy (id 1234)" in out
    assert "Ready to run." in out
    assert sorted(platforms.calls) == ["auth.test", "users/@me"]
    assert SLACK_TOKEN not in out and DISCORD_TOKEN not in out


async def test_rejected_tokens_and_a_down_arxiv_fail_with_what_to_fix(
    base: dict[str, str], fake_arxiv: FakeArxiv
) -> None:
    env = {**base, "SLACK_BOT_TOKEN": "xoxb-revoked", "DISCORD_TOKEN": "stale", "SLACK_APP_TOKEN": "xoxb-x"}
    fake_arxiv.fail_next(5, status=503)
    code, out = await doctor(env)
    assert code == 1
    assert "✗ Slack: bot token rejected (invalid_auth) — fix: copy the Bot User OAuth Token" in out
    assert "✗ Slack mode: SLACK_APP_TOKEN is not an app-level token" in out
    assert "✗ Discord: token rejected (401) — fix: copy the token from the Bot page" in out
    assert "✗ arXiv:" in out and "HTTP 503" in out
    assert "! Database:" in out and "paperboy db upgrade" in out  # empty: a warning, run migrates
    assert "4 problems to fix." in out
    assert len(fake_arxiv.requests) == 1  # one request, no retries
    assert "xoxb-revoked" not in out and "stale" not in out


async def test_an_unreachable_database_fails(base: dict[str, str]) -> None:
    checks = await run_checks(settings_from({**base, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}))
    database = next(c for c in checks if c.name == "Database")
    assert database.status == "fail"
    assert "unreachable" in database.detail and "DATABASE_URL" in database.fix


async def test_llm_and_missing_platform_settings(base: dict[str, str]) -> None:
    bare = {k: v for k, v in base.items() if not k.startswith(("SLACK", "DISCORD"))}
    checks = {c.name: c for c in await run_checks(settings_from(bare))}
    assert checks["Chat"].status == "warn" and "console" in checks["Chat"].detail
    assert "Slack" not in checks and "Discord" not in checks

    keyless = settings_from({**bare, "LLM_PROVIDER": "openai", "LLM_MODEL": "gpt-4o-mini"})
    llm = next(c for c in await run_checks(keyless) if c.name == "LLM")
    assert (llm.status, llm.fix) == ("warn", "set LLM_API_KEY")
    ready = settings_from({**bare, "LLM_PROVIDER": "ollama", "LLM_MODEL": "llama3"})
    llm = next(c for c in await run_checks(ready) if c.name == "LLM")
    assert llm.status == "ok" and "ollama/llama3" in llm.detail

    only_app = settings_from({**bare, "SLACK_APP_TOKEN": "xapp-1"})
    slack = next(c for c in await run_checks(only_app) if c.name == "Slack")
    assert slack.status == "fail" and "SLACK_BOT_TOKEN" in slack.detail
