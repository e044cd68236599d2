"""The `paperboy` command as a person runs it: real processes, a real SQLite file, the fake arXiv."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.infra.storage.migrate import head_revision
from tests.fakes.arxiv_server import FakeArxiv
from tests.support.processes import ROOT, PaperboyProcess, free_port, paperboy_env, run_paperboy

HEAVY = ("litellm", "discord", "slack_bolt", "slack_sdk")


@pytest.fixture
def env(tmp_path: Path, today_arxiv: FakeArxiv, database_url: str) -> dict[str, str]:
    """A clean environment: no tokens, a fresh database (SQLite, then PostgreSQL), the fake arXiv."""
    return paperboy_env(tmp_path, database_url, today_arxiv, HEALTH_PORT="0", LOG_LEVEL="WARNING")


def titles(output: str) -> list[str]:
    """Numbered digest items."""
    return re.findall(r"^\d+\) (.+)$", output, flags=re.M)


def test_console_scenario_with_a_restart_between_every_step(env: dict[str, str]) -> None:
    first = run_paperboy(env, "console", stdin="subscribe convergence\ntopics\n")
    assert "Subscribed to `convergence`" in first.stdout
    assert "1. convergence" in first.stdout

    preview = run_paperboy(env, "console", stdin="/preview\n")
    previewed = titles(preview.stdout)
    assert len(previewed) == 10

    digest = run_paperboy(env, "console", stdin="digest\n")
    assert titles(digest.stdout) == previewed

    again = run_paperboy(env, "console", stdin="digest\n")
    assert titles(again.stdout) == []
    assert "Nothing new" in again.stdout

    last = run_paperboy(env, "console", stdin="unsubscribe convergence\ntopics\n")
    assert "Unsubscribed from `convergence`" in last.stdout
    assert "follows no topics" in last.stdout
    for step in (first, preview, digest, again, last):
        assert step.returncode == 0, step.stderr
        assert "Traceback" not in step.stdout + step.stderr


def test_run_without_tokens_or_terminal_answers_then_keeps_the_scheduler_running(
    env: dict[str, str],
) -> None:
    # A container: no token, no terminal, input that ends. Exiting would make a restart policy start
    # it again and again; it answers what was piped in and runs on until SIGTERM.
    port = free_port()
    process = PaperboyProcess({**env, "HEALTH_PORT": str(port), "LOG_LEVEL": "INFO"}, "run")
    try:
        process.type("help")
        assert process.proc.stdin is not None
        process.proc.stdin.close()
        process.wait_until(lambda: any("Input ended" in line for line in process.stderr), 30, "end of input")
        for variable in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_TOKEN", "paperboy console"):
            assert variable in "\n".join(process.stderr)
        assert "subscribe <topic>" in "\n".join(process.stdout)
        health = process.wait_for_role("leader")  # it runs the scheduler, and says it is healthy
        assert health["adapters"] == {"console": True}, health
        assert listening_addresses(port) == {"127.0.0.1"}  # health stays on this machine by default
        assert process.proc.poll() is None

        process.signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0  # an idle process stops within 5 s
    finally:
        process.close()


def listening_addresses(port: int) -> set[str]:
    """The IPv4 addresses some socket listens on at `port`, from the kernel's own table."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, hex_port = local.partition(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_digest_dry_run_shows_without_recording(env: dict[str, str]) -> None:
    run_paperboy(env, "console", stdin="subscribe hypergradient\n")
    dry = run_paperboy(env, "digest", "--channel", "console:local:console", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert any("Natural Hypergradient Descent" in t for t in titles(dry.stdout))
    real = run_paperboy(env, "digest", "--channel", "console:local:console")
    assert titles(real.stdout) == titles(dry.stdout)
    assert "Posted 1 paper." in real.stderr


def test_digest_with_a_malformed_or_unknown_channel(env: dict[str, str]) -> None:
    malformed = run_paperboy(env, "digest", "--channel", "general")
    assert malformed.returncode == 2
    assert "platform:workspace:channel" in malformed.stderr
    unknown = run_paperboy(env, "digest", "--channel", "slack:T1:C1", "--dry-run")
    assert unknown.returncode == 1
    assert "No channel slack:T1:C1" in unknown.stderr


def test_explain_and_ingest_commands(env: dict[str, str]) -> None:
    explained = run_paperboy(env, "explain", "arXiv:2602.10905v1")
    assert explained.returncode == 0, explained.stderr
    assert "Natural Hypergradient Descent" in explained.stdout
    assert "No LLM key configured" in explained.stdout

    bad = run_paperboy(env, "explain", "2613.00001")
    assert bad.returncode == 1
    assert "month 13" in bad.stdout

    ingested = run_paperboy(env, "ingest")
    assert ingested.returncode == 0, ingested.stderr
    assert re.search(r"Ingested \d+ papers announced", ingested.stdout)

    not_a_date = run_paperboy(env, "ingest", "--date", "yesterday")
    assert not_a_date.returncode == 2
    assert "YYYY-MM-DD" in not_a_date.stderr


def test_help_and_version_stay_light(env: dict[str, str]) -> None:
    version = run_paperboy(env, "--version")
    assert re.fullmatch(r"paperboy \d+\.\d+\.\d+\n", version.stdout)

    probe = (
        "import sys; from bot.cli import main; sys.argv = ['paperboy', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('HEAVY:', [m for m in sys.modules if m.split('.')[0] in {HEAVY!r}])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )
    for command in ("run", "console", "digest", "explain", "ingest"):
        assert command in result.stdout
    assert "HEAVY: []" in result.stdout


def test_the_command_line_without_a_command_the_db_group_and_a_bad_option(env: dict[str, str]) -> None:
    bare = run_paperboy(env)
    assert bare.returncode == 0 and "COMMAND" in bare.stdout and "doctor" in bare.stdout
    head = head_revision()
    assert run_paperboy(env, "db", "upgrade").stdout == f"Database upgraded from empty to {head}.\n"
    current = run_paperboy(env, "db", "current")
    assert current.stdout == f"Database at {head}; newest is {head} (up to date).\n"
    wrong = run_paperboy(env, "usage", "--days", "0")
    assert wrong.returncode == 2
    assert "`0` is not a whole number of at least 1, e.g. 7" in wrong.stderr


def test_bad_configuration_is_reported_plainly(env: dict[str, str]) -> None:
    result = run_paperboy({**env, "DEFAULT_TIMEZONE": "Mars/Olympus"}, "console")
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "platform_env",
    [
        {
            "SLACK_BOT_TOKEN": "xoxb-secret-bot",
            "SLACK_APP_TOKEN": "xapp-secret-app",
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
        },
        {"DISCORD_TOKEN": "secret.discord.token", "DISCORD_API_URL": "http://127.0.0.1:9/api/v10"},
    ],
    ids=["slack", "discord"],
)
def test_a_platform_that_cannot_be_reached_stops_run_with_one_clear_line(
    env: dict[str, str], platform_env: dict[str, str]
) -> None:
    result = run_paperboy({**env, **platform_env}, "run")
    assert result.returncode == 1
    assert "Could not start:" in result.stderr
    assert "Traceback" not in result.stderr
    for secret in platform_env.values():
        if "secret" in secret:
            assert secret not in result.stderr + result.stdout
