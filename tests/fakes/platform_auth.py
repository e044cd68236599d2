"""Slack's `auth.test` and Discord's `GET /users/@me` on 127.0.0.1, for checking tokens offline.

async with FakePlatformAuth() as fake:
    fake.slack_api_url, fake.discord_api_url
"""

from __future__ import annotations

import json

from aiohttp import web

from tests.fakes.aiohttp_fake import AiohttpFake

SLACK_TOKEN = "xoxb-good-token"
DISCORD_TOKEN = "good-discord-token"


class FakePlatformAuth(AiohttpFake):
    """Accepts exactly SLACK_TOKEN and DISCORD_TOKEN; counts the calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    @property
    def slack_api_url(self) -> str:
        """Base URL for slack_sdk (with its trailing slash)."""
        return f"{self.url}/slack/api/"

    @property
    def discord_api_url(self) -> str:
        """Base URL like https://discord.com/api/v10."""
        return f"{self.url}/discord/api/v10"

    def add_routes(self, app: web.Application) -> None:
        """Only the two calls that check a token."""
        app.router.add_post("/slack/api/auth.test", self._auth_test)
        app.router.add_get("/discord/api/v10/users/@me", self._me)

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
