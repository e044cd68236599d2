"""The life of a fake served by aiohttp in the test's own event loop, shared by the async fakes.

A fake subclasses `AiohttpFake`, adds its routes (`add_routes`) and closes what it holds open on
`stop()` (`_before_stop`), and gets `start`/`stop`, `async with`, `port` and `url`.
"""

from __future__ import annotations

from typing import Self

from aiohttp import web


class AiohttpFake:
    """A fake listening on a free port of 127.0.0.1 from `start()` (or `async with`) until `stop()`."""

    def __init__(self) -> None:
        super().__init__()  # cooperative, for fakes that also inherit their world's state
        self._runner: web.AppRunner | None = None
        self._port = 0

    def add_routes(self, app: web.Application) -> None:
        """Route the fake's paths to its handlers."""
        raise NotImplementedError

    async def _before_stop(self) -> None:
        """Close sockets and let held requests end, so `stop()` does not wait for them."""

    async def start(self) -> Self:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        self.add_routes(app)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close what is still open and stop listening."""
        await self._before_stop()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The port it listens on (0 before `start()`)."""
        return self._port

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self._port}"
