"""A newcomer's first hour at a terminal: Ctrl-C, the log, bad settings and bad bytes, answered plainly."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.arxiv_server import FakeArxiv
from tests.support.processes import TerminalPaperboy, paperboy_env, run_paperboy

STALL = 30.0  # seconds arXiv takes to answer in the Ctrl-C test: far longer than the test waits


@pytest.fixture
def env(tmp_path: Path, fake_arxiv: FakeArxiv) -> dict[str, str]:
    """No tokens, a SQLite file in a fresh data folder, the fake arXiv, no health server."""
    return paperboy_env(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'paperboy.db'}", fake_arxiv, HEALTH_PORT="0"
    )


def test_ctrl_c_cancels_the_running_command_and_the_console_goes_on(
    env: dict[str, str], fake_arxiv: FakeArxiv, tmp_path: Path
) -> None:
    terminal = TerminalPaperboy(env, "console")
    try:
        seen = terminal.expect("paperboy> ")
        assert "Ctrl-C cancels a command" in terminal.output
        assert f"Logging to {tmp_path / 'paperboy.log'}" in terminal.output

        fake_arxiv.stall_next(1, seconds=STALL, path="/api")
        terminal.type("explain 2602.10905\r")
        fake_arxiv_asked = terminal.expect("explain 2602.10905", after=seen)
        deadline = time.monotonic() + 30
        while not fake_arxiv.requests_to("/api") and time.monotonic() < deadline:
            time.sleep(0.05)  # until the look-up is waiting on arXiv
        terminal.type("\x03")  # Ctrl-C, while arXiv takes its time
        seen = terminal.expect("Cancelled.", timeout=10, after=fake_arxiv_asked)

        terminal.type("topics\r")
        seen = terminal.expect("This channel follows no topics yet.", after=seen)
        terminal.type(b"subscribe conv\xff\xfeergence\r")  # bytes that are not UTF-8
        terminal.expect("That line holds bytes that are not UTF-8 text", after=seen)
        terminal.type("quit\r")
        # The request still waiting on arXiv does not hold the exit.
        assert terminal.proc.wait(timeout=10) == 0
    finally:
        terminal.close()
    shown = terminal.output
    assert "Natural Hypergradient Descent" not in shown  # the cancelled command never answered
    assert "Traceback" not in shown
    # The conversation stays readable: the log is in the file, not between the messages.
    log = (tmp_path / "paperboy.log").read_text()
    assert "this process is now the scheduler leader" in log
    assert " INFO " not in shown


@pytest.mark.parametrize("command", [("run",), ("db", "upgrade"), ("usage",)])
def test_a_mysql_url_is_one_plain_line_and_exit_2_whatever_the_command(
    env: dict[str, str], command: tuple[str, ...]
) -> None:
    result = run_paperboy({**env, "DATABASE_URL": "mysql://paperboy:s3cret-pw@db/paperboy"}, *command)
    assert result.returncode == 2
    assert result.stderr == (
        "Configuration error: DATABASE_URL names mysql, which Paperboy does not support. Use PostgreSQL "
        "(postgresql+psycopg://user:password@host:5432/paperboy), or leave it unset for a SQLite file "
        "in DATA_DIR.\n"
    )
    assert "s3cret-pw" not in result.stdout


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+asyncpg://paperboy:s3cret-pw@db/paperboy", "asks for the postgresql driver `asyncpg`"),
        ("just some words", "is not a database URL"),
    ],
    ids=["other-driver", "not-a-url"],
)
def test_other_urls_paperboy_cannot_use_are_one_plain_line_too(
    env: dict[str, str], url: str, says: str
) -> None:
    result = run_paperboy({**env, "DATABASE_URL": url}, "run")
    assert result.returncode == 2
    assert result.stderr.startswith(f"Configuration error: DATABASE_URL {says}")
    assert "postgresql+psycopg://user:password@host:5432/paperboy" in result.stderr  # an example of right
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_doctor_reports_such_a_url_as_a_failed_check(env: dict[str, str]) -> None:
    result = run_paperboy({**env, "DATABASE_URL": "mysql://paperboy:s3cret-pw@db/paperboy"}, "doctor")
    assert result.returncode == 1
    assert "✗ Database: DATABASE_URL names mysql" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", [("console",), ("db", "upgrade")])
def test_a_data_folder_paperboy_cannot_write_is_one_plain_line_and_exit_2(
    tmp_path: Path, fake_arxiv: FakeArxiv, command: tuple[str, ...]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder's parent should be\n")
    env = paperboy_env(blocker / "data", "", fake_arxiv, HEALTH_PORT="0")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2
    folder = blocker / "data"
    assert result.stderr.startswith(
        f"Configuration error: Cannot create the SQLite database's folder (DATA_DIR) {folder}"
    )
    assert "Set DATA_DIR to a folder this user may write to, e.g. DATA_DIR=./data." in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_bytes_that_are_not_utf8_get_a_plain_answer_and_the_console_goes_on(env: dict[str, str]) -> None:
    typed = b"subscribe conv\xff\xfeergence\ntopics\nsubscribe convergence\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console"],
        input=typed,
        capture_output=True,
        env=env,
        cwd=env["DATA_DIR"],
        timeout=120,
    )
    shown = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "That line holds bytes that are not UTF-8 text, so I can't read it." in shown
    assert "e.g. `subscribe convergence`" in shown
    assert "This channel follows no topics yet." in shown  # nothing garbled was stored
    assert "Subscribed to `convergence`" in shown  # and the console goes on
    assert "Traceback" not in shown + result.stderr.decode()


def test_a_time_zone_region_is_a_plain_configuration_error(env: dict[str, str]) -> None:
    result = run_paperboy({**env, "DEFAULT_TIMEZONE": "America/Argentina"}, "console")
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE" in result.stderr and "Traceback" not in result.stderr
