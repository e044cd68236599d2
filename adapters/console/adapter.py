"""The console adapter: lines typed (or piped) in, plain text out."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from pathlib import Path
from typing import TextIO

from bot.domain.channel import Actor, ChannelRef
from bot.domain.commands import parse_command
from bot.domain.digest import Digest, DigestItem
from bot.domain.replies import Reply
from bot.rendering.plaintext import render_digest_header, render_digest_item, render_reply
from bot.services.engine import Engine

CONSOLE_CHANNEL = ChannelRef(platform="console", workspace="local", channel_id="console", name="console")
CONSOLE_USER = Actor(user_id="console", display_name="you", can_manage=True)
QUIT_WORDS = {"quit", "exit", "/quit", "/exit"}
PROMPT = "paperboy> "


async def read_line(stream: TextIO) -> str:
    """`readline` in a daemon thread: a read blocked on an idle pipe must not hold up SIGTERM's exit."""
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
            line, error = stream.readline(), None
        except Exception as failure:
            line, error = None, failure
        with contextlib.suppress(RuntimeError):  # the loop closed while we waited: nobody listens
            loop.call_soon_threadsafe(deliver, line, error)

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return await done


class ConsolePublisher:
    """Prints what a channel would receive."""

    platform = "console"

    def __init__(self, out: TextIO):
        self._out = out
        self._count = 0

    def _write(self, text: str) -> str:
        self._out.write(text.rstrip() + "\n\n")
        self._out.flush()
        self._count += 1
        return f"console-{self._count}"

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        """The digest's first lines."""
        return self._write(render_digest_header(digest))

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        """One numbered paper."""
        return self._write(render_digest_item(item))

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        """Any other reply."""
        return self._write(render_reply(reply))

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        """A terminal keeps no record of what it printed."""
        return None


class ConsoleAdapter:
    """Reads commands from the terminal (with history) or from piped standard input."""

    platform = "console"

    def __init__(
        self,
        engine: Engine,
        *,
        stdin: TextIO | None = None,
        out: TextIO | None = None,
        history_file: Path | None = None,
    ):
        self._engine = engine
        self._stdin = stdin or sys.stdin
        self._out = out or sys.stdout
        self._history_file = history_file
        self.publisher = ConsolePublisher(self._out)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Register the publisher and start reading input."""
        self._engine.register_publisher(self.publisher)
        self._task = asyncio.create_task(self._loop(), name="console")

    async def wait_closed(self) -> None:
        """Return at end of input or `quit`."""
        if self._task:
            await self._task

    async def stop(self) -> None:
        """Stop reading."""
        if self._task and not self._task.done():
            self._task.cancel()

    async def run_line(self, line: str) -> None:
        """Handle one typed line and print the answer."""
        text = line.strip()
        if not text or text.startswith("#"):
            return
        reply = await self._engine.handle(CONSOLE_CHANNEL, CONSOLE_USER, parse_command(text))
        if reply is not None:
            await self.publisher.post_reply(CONSOLE_CHANNEL, reply)

    async def _loop(self) -> None:
        if self._stdin.isatty():
            await self._interactive()
            return
        while True:
            line = await read_line(self._stdin)
            if not line or line.strip().lower() in QUIT_WORDS:
                return
            await self.run_line(line)

    async def _interactive(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        history = FileHistory(str(self._history_file)) if self._history_file else InMemoryHistory()
        session: PromptSession[str] = PromptSession(history=history)
        self._out.write("Paperboy console: this terminal is a channel. Type `help`, or `quit` to leave.\n\n")
        while True:
            try:
                line = await session.prompt_async(PROMPT)
            except (EOFError, KeyboardInterrupt):
                return
            if line.strip().lower() in QUIT_WORDS:
                return
            await self.run_line(line)
