"""`/healthz` and `/metrics` over HTTP, on the bot's own asyncio loop (aiohttp's small server)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot import metrics

log = logging.getLogger(__name__)

HealthReport = Callable[[], tuple[bool, dict[str, Any]]]


class HealthServer:
    """Serves the runner's health report and the Prometheus metrics."""

    def __init__(self, host: str, port: int, report: HealthReport) -> None:
        self.host = host
        self.port = port
        self._report = report
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen; a busy port is logged, not fatal: the bot matters more than its probes."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as error:
            log.error("health server not started on %s:%d: %s", self.host, self.port, error.strerror)
            metrics.count_error("health_server")
            await runner.cleanup()
            return
        self._runner = runner
        log.info("serving /healthz and /metrics on http://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Close the listener."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, _request: web.Request) -> web.Response:
        healthy, details = self._report()
        body = {"status": "ok" if healthy else "unavailable", **details}
        return web.Response(
            status=200 if healthy else 503, text=json.dumps(body), content_type="application/json"
        )

    async def _metrics(self, _request: web.Request) -> web.Response:
        response = web.Response(body=metrics.exposition())
        response.content_type = "text/plain"
        response.charset = "utf-8"
        return response
