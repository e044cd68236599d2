"""`paperboy` as a real process: a clean environment, one-shot runs, and long-running processes whose
output lines are collected and whose /healthz and /metrics are read."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from tests.fakes.arxiv_server import FakeArxiv

ROOT = Path(__file__).resolve().parents[2]
# What a child process keeps of the test's environment: enough to run Python, no tokens or settings.
KEPT_VARIABLES = frozenset({"PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR"})


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**variables: str) -> dict[str, str]:
    """The basics of this environment, our code on PYTHONPATH, and these variables: nothing leaks in."""
    kept = {k: v for k, v in os.environ.items() if k in KEPT_VARIABLES}
    return {**kept, "PYTHONPATH": str(ROOT), **variables}


def paperboy_env(data_dir: Path, database_url: str, arxiv: FakeArxiv, **variables: str) -> dict[str, str]:
    """A clean environment for `paperboy` on this data folder and database, reading cs.LG from the fake."""
    return clean_env(
        DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        ARXIV_API_URL=arxiv.api_url,
        ARXIV_RSS_URL=arxiv.rss_url,
        ARXIV_CATEGORIES="cs.LG",
        **variables,
    )


def run_paperboy(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `paperboy ARGS` to its end in a fresh process, as from a shell in the data folder."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=env["DATA_DIR"],
        timeout=120,
    )


class PaperboyProcess:
    """One `python -m bot.cli ARGS` process; its stdout and stderr lines are read in threads."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.env = env
        self.port = int(env.get("HEALTH_PORT", "0"))
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._changed = threading.Condition()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=env.get("DATA_DIR", str(ROOT)),
        )
        for stream, lines in ((self.proc.stdout, self.stdout), (self.proc.stderr, self.stderr)):
            assert stream is not None
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True).start()

    def _collect(self, stream: TextIO, lines: list[str]) -> None:
        for line in stream:
            with self._changed:
                lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def type(self, line: str) -> None:
        """Type a line into the console channel."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def logs(self) -> list[dict[str, Any]]:
        """The JSON log lines so far."""
        found = []
        for line in list(self.stderr):
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return found

    def wait_for_log(self, text: str, timeout: float = 30.0) -> dict[str, Any]:
        """The first JSON log entry whose message contains `text`."""
        return self.wait_until(
            lambda: next((e for e in self.logs() if text in e["message"]), None), timeout, f"log {text!r}"
        )

    def wait_until(self, probe: Callable[[], Any], timeout: float, what: str) -> Any:
        """Poll `probe` until it returns something truthy; fail with the process's output if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = probe()
            if found:
                return found
            if self.proc.poll() is not None and not found:
                found = probe()
                if found:
                    return found
                code = self.proc.returncode
                raise AssertionError(f"process exited ({code}) before {what}:\n{self.output()}")
            with self._changed:
                self._changed.wait(0.1)
        raise AssertionError(f"no {what} within {timeout} s:\n{self.output()}")

    def get(self, path: str) -> tuple[int, str]:
        """GET http://127.0.0.1:PORT/path; status 0 when nothing answers yet."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError:
            return 0, ""

    def health(self) -> dict[str, Any] | None:
        """The /healthz JSON, or None while the server is not up."""
        status, body = self.get("/healthz")
        if not status:
            return None
        return {"http_status": status, **json.loads(body)}

    def wait_for_role(self, role: str, timeout: float = 30.0) -> dict[str, Any]:
        """Wait until /healthz says this process is a ready `leader` or `follower`."""
        return self.wait_until(
            lambda: (h := self.health()) is not None and h.get("role") == role and h["status"] == "ok" and h,
            timeout,
            f"ready {role}",
        )

    def signal(self, signum: signal.Signals) -> None:
        """Send a signal (SIGTERM to stop, SIGKILL to crash)."""
        os.kill(self.proc.pid, signum)

    def wait(self, timeout: float = 60.0) -> int:
        """Wait for exit; returns the exit code."""
        code = self.proc.wait(timeout=timeout)
        time.sleep(0.05)  # let the reader threads take the last lines
        return code

    def output(self) -> str:
        """Everything printed so far, for failure messages."""
        return "\n".join(["--- stdout", *self.stdout[-40:], "--- stderr", *self.stderr[-40:]])

    def close(self) -> None:
        """Make sure the process is gone (tests stop theirs; this is for failures)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


class TerminalPaperboy:
    """`python -m bot.cli ARGS` on a pseudo-terminal, as a person at a terminal runs it.

    The terminal is the process's controlling terminal, so Ctrl-C typed into it (`\\x03`) becomes
    SIGINT from the terminal driver, exactly as at a keyboard.
    """

    def __init__(self, env: dict[str, str], *args: str) -> None:
        import fcntl
        import pty
        import termios

        self._master, slave = pty.openpty()

        def take_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={"TERM": "dumb", **env},
            cwd=env.get("DATA_DIR", str(ROOT)),
            preexec_fn=take_terminal,
        )
        os.close(slave)
        self._output = bytearray()
        self._changed = threading.Condition()
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        while True:
            try:
                data = os.read(self._master, 4096)
            except OSError:  # the terminal closed with the process
                return
            if not data:
                return
            with self._changed:
                self._output.extend(data)
                self._changed.notify_all()

    @property
    def output(self) -> str:
        """Everything the terminal showed so far."""
        with self._changed:
            return self._output.decode("utf-8", "replace")

    def type(self, keys: str | bytes) -> None:
        """Type keys; `\\r` is Enter, `\\x03` is Ctrl-C; bytes go as they are."""
        os.write(self._master, keys if isinstance(keys, bytes) else keys.encode())

    def expect(self, text: str, timeout: float = 30.0, *, after: int = 0) -> int:
        """Wait until `text` shows (past position `after`); returns where it ends."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self._output.decode("utf-8", "replace").find(text, after)
                if found >= 0:
                    return found + len(text)
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"no {text!r} on the terminal; it shows:\n{self.output[-2000:]}")
                self._changed.wait(min(left, 0.1))

    def close(self) -> None:
        """Make sure the process is gone and the terminal closed."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        with contextlib.suppress(OSError):
            os.close(self._master)
