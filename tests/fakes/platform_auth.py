"""Slack's `auth.test` and Discord's `GET /users/@me` on 127.0.0.1, for checking tokens offline.

async with FakePlatformAuth() as fake:
    fake.slack_api_url, fake.discord_api_url
"""

from __future__ import annotations

import json

from aiohttp import web

SLACK_TOKEN = "xoxb-good-token"
DISCORD_TOKEN = "good-discord-token"


class FakePlatformAuth:
    """Accepts exactly SLACK_TOKEN and DISCORD_TOKEN; counts the calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def slack_api_url(self) -> str:
        """Base URL for slack_sdk (with its trailing slash)."""
        return f"http://127.0.0.1:{self.port}/slack/api/"

    @property
    def discord_api_url(self) -> str:
        """Base URL like https://discord.com/api/v10."""
        return f"http://127.0.0.1:{self.port}/discord/api/v10"

    async def __aenter__(self) -> FakePlatformAuth:
        app = web.Application()
        app.router.add_post("/slack/api/auth.test", self._auth_test)
        app.router.add_get("/discord/api/v10/users/@me", self._me)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _auth_test(self, request: web.Request) -> web.Response:
        self.calls.append("auth.test")
        if request.headers.get("Authorization") != f"Bearer {SLACK_TOKEN}":
            body = {"ok": False, "error": "invalid_auth"}
        else:
            body = {"ok": True, "url": "https://lab.slack.com/", "team": "Lab", "user": "paperboy",
                    "team_id": "T1", "user_id": "U1", "bot_id": "B1"}  # fmt: skip
        return web.Response(text=json.dumps(body), content_type="application/json")

    async def _me(self, request: web.Request) -> web.Response:
        self.calls.append("users/@me")
        if request.headers.get("Authorization") != f"Bot {DISCORD_TOKEN}":
            body: dict[str, object] = {"message": "401: Unauthorized", "code": 0}
            return web.Response(status=401, text=json.dumps(body), content_type="application/json")
        body = {"id": "1234", "username": "paperboy", "bot": True}
        return web.Response(text=json.dumps(body), content_type="application/json")
