"""The Slack connection: a bolt AsyncApp over Socket Mode (default) or HTTP, on the bot's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from typing import Any

from aiohttp import ClientError, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.failures import describe_failure
from adapters.slack.handlers import SlackHandlers
from adapters.slack.pacing import ChannelPacer, RateLimitRetryExceptPosts
from adapters.slack.people import ManagerPolicy, SlackDirectory
from adapters.slack.publisher import SlackPublisher, ThreadIndex
from bot.app import Services
from bot.ports import AdapterStartError, SeenRequestLog
from bot.settings import Settings

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 10.0
MAX_REQUEST_BYTES = 1024 * 1024


class SlackStartError(AdapterStartError):
    """Slack refused a token or the configuration is incomplete; the message says what to fix."""


def uses_http(settings: Settings) -> bool:
    """HTTP mode when asked for, or when only a signing secret (no app token) is configured."""
    return settings.slack_http or (settings.slack_signing_secret is not None and not settings.slack_app_token)


def api_base_url(url: str) -> str:
    """slack_sdk joins method names onto the base URL, so it must end in a slash."""
    return url if url.endswith("/") else url + "/"


class SlackAdapter:
    """Slash commands, mentions, thread questions and buttons in; Block Kit messages out."""

    platform = "slack"

    def __init__(
        self,
        settings: Settings,
        services: Services,
        seen: SeenRequestLog,
        *,
        pacer: ChannelPacer | None = None,
    ):
        if settings.slack_bot_token is None:
            raise SlackStartError("SLACK_BOT_TOKEN is not set; it starts with xoxb- (see docs/slack.md).")
        self._settings = settings
        self._engine = services.engine
        self.http_mode = uses_http(settings)
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        if self.http_mode and not secret:
            raise SlackStartError("HTTP mode needs SLACK_SIGNING_SECRET (the app page's Basic Information).")
        if not self.http_mode and settings.slack_app_token is None:
            raise SlackStartError("Socket Mode needs SLACK_APP_TOKEN (xapp-..., with connections:write).")
        self.client = AsyncWebClient(
            token=settings.slack_bot_token.get_secret_value(),
            base_url=api_base_url(settings.slack_api_url),
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(max_retry_count=2),
                # chat.postMessage's 429s are waited out by the publisher, workspace-wide and without a cap.
                RateLimitRetryExceptPosts(max_retry_count=5),
            ],
        )
        self.app = AsyncApp(
            client=self.client,
            signing_secret=secret or "unused-in-socket-mode",
            request_verification_enabled=self.http_mode,
            process_before_response=False,
        )
        threads = ThreadIndex(services.stores.threads)
        self.publisher = SlackPublisher(
            self.client, pacer or ChannelPacer(settings.slack_post_interval), threads
        )
        self.directory = SlackDirectory(self.client, ManagerPolicy.parse(settings.slack_managers))
        self.handlers = SlackHandlers(self._engine, self.publisher, self.directory, self.spawn, seen)
        self.handlers.register(self.app)
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = asyncio.Event()
        self._socket: AsyncSocketModeHandler | None = None
        self._http: web.AppRunner | None = None

    async def start(self) -> None:
        """Check the tokens, register the publisher, and connect (returns once connected)."""
        try:
            identity = await self.client.auth_test()
        except SlackApiError as error:
            raise SlackStartError(f"Slack refused SLACK_BOT_TOKEN: {_code(error)}.") from error
        except (ClientError, OSError) as error:
            raise SlackStartError(
                f"Slack could not be reached at SLACK_API_URL ({self._settings.slack_api_url}): {error}"
            ) from error
        self._engine.register_publisher(self.publisher)
        if self.http_mode:
            await self._start_http()
        else:
            await self._start_socket_mode()
        log.info(
            "slack: connected to %s as %s (%s mode)",
            identity.get("team", "?"),
            identity.get("user", "?"),
            "HTTP" if self.http_mode else "Socket",
        )

    async def _start_socket_mode(self) -> None:
        assert self._settings.slack_app_token is not None
        self._socket = DroppingSocketModeHandler(self.app, self._settings.slack_app_token.get_secret_value())
        try:
            # Asked here, not inside connect(), which would retry a refused token forever.
            self._socket.client.wss_uri = await self._socket.client.issue_new_wss_url()
        except SlackApiError as error:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
            raise SlackStartError(
                f"Slack refused SLACK_APP_TOKEN: {_code(error)}. It starts with xapp- and needs the "
                "connections:write scope."
            ) from error
        await self._socket.connect_async()  # type: ignore[no-untyped-call]

    async def _start_http(self) -> None:
        async def events(request: web.Request) -> web.Response:
            try:
                bolt_request = await to_bolt_request(request)
            except web.HTTPException:  # a body past client_max_size: 413, before anything reads it
                raise
            except Exception as error:
                # A body bolt cannot even parse (before its signature check): no detail to the sender.
                log.warning("slack: refused an unreadable HTTP request: %s", describe_failure(error))
                return web.Response(status=400, text="bad request")
            return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

        async def health(_: web.Request) -> web.Response:
            return web.Response(text="ok")

        # Slack's payloads are a few KB; a body past 1 MB is refused (413) unread.
        web_app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        web_app.router.add_post(self._settings.slack_http_path, events)
        web_app.router.add_get("/healthz", health)
        self._http = web.AppRunner(web_app, access_log=None)
        await self._http.setup()
        site = web.TCPSite(self._http, self._settings.slack_http_host, self._settings.slack_port)
        await site.start()
        log.info(
            "slack: HTTP mode listening on %s:%d%s",
            self._settings.slack_http_host,
            self._settings.slack_port,
            self._settings.slack_http_path,
        )

    async def wait_closed(self) -> None:
        """Return once `stop()` has been called."""
        await self._closed.wait()

    async def stop(self) -> None:
        """Stop taking requests, let work in flight finish (briefly), disconnect."""
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._http is not None:
            await self._http.cleanup()
            self._http = None
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE_SECONDS)
            for task in pending:
                task.cancel()
        self._closed.set()

    def spawn(self, work: Coroutine[Any, Any, None], what: str) -> None:
        """Run slow work after the acknowledgement; failures are logged, never lost silently."""
        task = asyncio.create_task(self._guarded(work, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until no background work is left (tests and shutdown use it)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    @staticmethod
    async def _guarded(work: Coroutine[Any, Any, None], what: str) -> None:
        try:
            await work
        except Exception:
            log.exception("slack: %s failed", what)


class DroppingSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, except that every envelope is acknowledged, even one it can't use.

    Bolt leaves an envelope unacknowledged when building its request fails or nothing handles it
    (404), and slack_sdk rejects one whose payload is not an object; Slack then delivers the same
    unusable envelope again. Here such an envelope is logged (its type and what failed, never the
    payload, which holds response_url) and acknowledged with an empty body: dropped.
    """

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        super().__init__(app, app_token)
        self.client.message_listeners.append(self._drop_unusable_payload)

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        """Dispatch the envelope to the app and send its answer; an empty acknowledgement if none."""
        started = time.time()
        try:
            response = await run_async_bolt_app(self.app, req)
        except Exception as error:
            log.warning(
                "slack: dropped a malformed %s envelope: %s",
                _envelope_kind(req.type),
                describe_failure(error),
            )
            response = BoltResponse(status=200, body="")
        if response.status == 404:
            log.warning("slack: dropped an envelope (%s) that nothing handles", _envelope_kind(req.type))
            response = BoltResponse(status=200, body="")
        await send_async_response(client, req, response, started)

    async def _drop_unusable_payload(
        self, client: AsyncBaseSocketModeClient, message: dict[str, Any], _raw: str | None
    ) -> None:
        envelope_id, payload = message.get("envelope_id"), message.get("payload", {})
        if isinstance(envelope_id, str) and not isinstance(payload, (dict, str)):
            log.warning("slack: dropped a malformed %s envelope: its payload is not an object",
                        _envelope_kind(message.get("type")))  # fmt: skip
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))


def _envelope_kind(kind: Any) -> str:
    known = {"slash_commands", "events_api", "interactive"}
    return kind if isinstance(kind, str) and kind in known else "unknown"


def _code(error: SlackApiError) -> str:
    response = error.response
    return str(response.get("error", "unknown error")) if response is not None else "no answer"
