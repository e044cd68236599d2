"""The console adapter: lines typed (or piped) in, plain text out."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from pathlib import Path
from typing import TextIO

from adapters.console.render import render_digest_header, render_digest_item, render_reply
from bot.domain.channel import Actor, ChannelRef
from bot.domain.command_parser import parse_command
from bot.domain.digest import Digest, DigestItem
from bot.domain.replies import DigestPosted, Reply
from bot.services.engine import Engine

CONSOLE_CHANNEL = ChannelRef(platform="console", workspace="local", channel_id="console", name="console")
CONSOLE_USER = Actor(user_id="console", display_name="you", can_manage=True)
QUIT_WORDS = {"quit", "exit", "/quit", "/exit"}
PROMPT = "paperboy> "
INPUT_ENDED = (
    "Input ended; Paperboy keeps running the scheduler (the console channel's digests print here). "
    "Stop it with Ctrl-C or SIGTERM.\n"
)


async def read_line(stream: TextIO) -> str:
    """`readline` in a daemon thread: a read blocked on an idle pipe must not hold up SIGTERM's exit.

    Bytes that are not UTF-8 come through as lone surrogates, which the command parser answers
    with a plain message, instead of a decoding error ending the console.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()

    def deliver(line: str | None, error: BaseException | None) -> None:
        if done.done():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(line or "")

    def read() -> None:
        try:
            raw: str | bytes = stream.buffer.readline() if hasattr(stream, "buffer") else stream.readline()
            line = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
            error = None
        except Exception as failure:
            line, error = None, failure
        with contextlib.suppress(RuntimeError):  # the loop closed while we waited: nobody listens
            loop.call_soon_threadsafe(deliver, line, error)

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return await done


class ConsolePublisher:
    """Prints what a channel would receive (by default to whatever `sys.stdout` is at the time, so
    a digest posted while the prompt waits goes above the prompt)."""

    platform = "console"

    def __init__(self, out: TextIO | None = None):
        self._out = out
        self._count = 0

    def _write(self, text: str) -> str:
        out = self._out or sys.stdout
        out.write(text.rstrip() + "\n\n")
        out.flush()
        self._count += 1
        return f"console-{self._count}"

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        """The digest's first lines."""
        return self._write(render_digest_header(digest))

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        """One numbered paper."""
        return self._write(render_digest_item(item, digest.topics))

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        """Any other reply."""
        return self._write(render_reply(reply))

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        """A terminal keeps no record of what it printed."""
        return None


class ConsoleAdapter:
    """Reads commands from the terminal (with history) or from piped standard input.

    On a terminal, Ctrl-C cancels the command that is running and gives the prompt back, and log
    lines are printed above the prompt, never into it. `keep_serving` (`paperboy run`) keeps the
    channel open when piped input ends, so a container without a terminal goes on running the
    scheduler instead of exiting (and being restarted in a loop).
    """

    platform = "console"

    def __init__(
        self,
        engine: Engine,
        *,
        stdin: TextIO | None = None,
        out: TextIO | None = None,
        history_file: Path | None = None,
        keep_serving: bool = False,
    ):
        self._engine = engine
        self._stdin = stdin or sys.stdin
        self._given_out = out
        self._history_file = history_file
        self._keep_serving = keep_serving
        self.publisher = ConsolePublisher(out)
        self._task: asyncio.Task[None] | None = None
        self._command: asyncio.Task[None] | None = None
        self._interactive = False

    async def start(self) -> None:
        """Register the publisher and start reading input."""
        self._engine.register_publisher(self.publisher)
        self._task = asyncio.create_task(self._loop(), name="console")

    async def wait_closed(self) -> None:
        """Return at end of input or `quit` (never on piped input's end when keeping serving)."""
        if self._task:
            await self._task

    async def stop(self) -> None:
        """Stop reading."""
        if self._task and not self._task.done():
            self._task.cancel()

    def interrupt(self) -> bool:
        """Ctrl-C on a terminal: cancel the running command, if any; False leaves it to stop the process."""
        if not self._interactive or self._command is None or self._command.done():
            return False
        self._command.cancel()
        return True

    async def run_line(self, line: str) -> None:
        """Handle one typed line and print the answer (one person at one terminal sees every audience)."""
        text = line.strip()
        if not text or text.startswith("#"):
            return
        outcome = await self._engine.handle(CONSOLE_CHANNEL, CONSOLE_USER, parse_command(text))
        if not isinstance(outcome.reply, DigestPosted):  # the digest itself printed just above
            await self.publisher.post_reply(CONSOLE_CHANNEL, outcome.reply)

    async def _loop(self) -> None:
        if self._stdin.isatty():
            await self._interactive_loop()
            return
        while True:
            line = await read_line(self._stdin)
            if not line or line.strip().lower() in QUIT_WORDS:
                break
            await self.run_line(line)
        if self._keep_serving:
            sys.stderr.write(INPUT_ENDED)
            sys.stderr.flush()
            await asyncio.Event().wait()  # until stopped: the scheduler runs on

    async def _interactive_loop(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, InMemoryHistory
        from prompt_toolkit.patch_stdout import patch_stdout

        history = FileHistory(str(self._history_file)) if self._history_file else InMemoryHistory()
        session: PromptSession[str] = PromptSession(history=history)
        self._print(
            "Paperboy console: this terminal is a channel. Type `help`, or `quit` to leave; "
            "Ctrl-C cancels a command that takes too long."
        )
        self._interactive = True
        # Whatever else prints while the prompt waits (logs, a scheduled digest) goes above it.
        with patch_stdout(raw=True):
            while True:
                try:
                    # prompt_toolkit's own SIGINT handling removes the loop's handler when the
                    # prompt ends, and Ctrl-C during a command was then ignored: at the prompt the
                    # terminal is raw, so Ctrl-C arrives as a key (KeyboardInterrupt) anyway.
                    line = await session.prompt_async(PROMPT, handle_sigint=False)
                except (EOFError, KeyboardInterrupt):
                    return
                if line.strip().lower() in QUIT_WORDS:
                    return
                await self._run_cancellable(line)

    async def _run_cancellable(self, line: str) -> None:
        """Run one command as its own task, so Ctrl-C (see `interrupt`) cancels it and nothing else."""
        self._command = asyncio.ensure_future(self.run_line(line))
        try:
            await asyncio.shield(self._command)
        except asyncio.CancelledError:
            if not self._command.cancelled():
                self._command.cancel()  # the console itself is being stopped: so is its command
                raise
            self._print("Cancelled.")
        finally:
            self._command = None

    def _print(self, text: str) -> None:
        out = self._given_out or sys.stdout
        out.write(text + "\n\n")
        out.flush()
