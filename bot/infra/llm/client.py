"""The one place litellm is called: lazily imported, always with a timeout, retried our way."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from bot.infra.llm.config import LlmConfig
from bot.infra.llm.usage import completion_from
from bot.ports import Completion, LlmKeyRejected, LlmTimedOut, LlmUnavailable

log = logging.getLogger(__name__)

# Waits longer than this (a Retry-After of an hour) are not worth holding a digest for.
MAX_RETRY_WAIT = 60.0
# A hard stop a little after litellm's own timeout, in case a provider path ignores it.
DEADLINE_MARGIN = 5.0

_litellm: ModuleType | None = None
_import_lock = threading.Lock()


def load_litellm() -> ModuleType:
    """Import litellm once, offline (no price-list download) and without its stdout banners."""
    global _litellm
    with _import_lock:
        if _litellm is None:
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            import litellm

            # litellm's import leaves a heap so big that the collector took seconds at exit (tens
            # of seconds on a busy machine): objects alive now stay, and are never scanned again.
            gc.freeze()
            litellm.suppress_debug_info = True
            litellm.telemetry = False
            _litellm = litellm
        return _litellm


class _Retryable(Exception):
    """A failure worth another try, with the provider's requested wait if it gave one."""

    def __init__(self, reason: str, retry_after: float | None, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.unreachable = unreachable  # `reason` then says which server could not be reached


class LlmClient:
    """Chat completions through litellm; implements the services' `LanguageModel`."""

    def __init__(
        self, config: LlmConfig, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        self.config = config
        self.model = config.model
        self.provider = config.provider
        self._sleep = sleep
        self._warned_no_usage = False

    async def load(self) -> ModuleType:
        """litellm, imported in a worker thread the first time (it takes seconds)."""
        return _litellm if _litellm is not None else await asyncio.to_thread(load_litellm)

    async def close(self) -> None:
        """Close litellm's cached HTTP clients (if litellm was ever loaded)."""
        if _litellm is not None:
            await _litellm.close_litellm_async_clients()

    async def count_tokens(self, text: str) -> int:
        """Tokens of `text` for this model, by litellm's offline counter."""
        litellm = await self.load()
        return int(litellm.token_counter(model=self.model, text=text))

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> Completion:
        """The reply, retrying rate limits (honouring Retry-After) and server errors with backoff."""
        litellm = await self.load()
        tries = self.config.max_retries + 1

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            if isinstance(error, _Retryable) and error.retry_after is not None:
                return error.retry_after
            return float(min(self.config.retry_wait * 2 ** (state.attempt_number - 1), MAX_RETRY_WAIT))

        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            pause = state.next_action.sleep if state.next_action else 0.0
            log.warning(
                "LLM %s: %s (try %d of %d); retrying in %.1f s",
                self.model, getattr(error, "reason", "error"), state.attempt_number, tries, pause,
            )  # fmt: skip

        retrying = AsyncRetrying(
            retry=retry_if_exception(_worth_retrying),
            stop=stop_after_attempt(tries),
            wait=wait,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            response: Any = await retrying(self._call_once, litellm, messages, max_tokens)
        except _Retryable as error:
            made = int(retrying.statistics.get("attempt_number", tries))
            plural = "try" if made == 1 else "tries"
            if error.unreachable:
                raise LlmUnavailable(f"{error.reason} ({made} {plural})") from None
            raise LlmUnavailable(f"the LLM did not answer ({error.reason}) after {made} {plural}") from None
        completion = completion_from(litellm, response, self.model, messages)
        if completion.usage_estimated and not self._warned_no_usage:
            self._warned_no_usage = True
            log.warning(
                "LLM %s sent no token usage; budgets count its calls with litellm's token counter",
                self.model,
            )
        return completion

    async def _call_once(self, litellm: ModuleType, messages: list[dict[str, str]], max_tokens: int) -> Any:
        options: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "timeout": self.config.timeout,
            "max_retries": 0,  # our retries, not the SDK's
        }
        if self.config.api_key is not None:
            options["api_key"] = self.config.api_key.get_secret_value()
        if self.config.api_base:
            options["api_base"] = self.config.api_base
        try:
            return await asyncio.wait_for(
                litellm.acompletion(**options), self.config.timeout + DEADLINE_MARGIN
            )
        except TimeoutError:
            raise self._timed_out() from None
        except Exception as error:
            raise self._translate(litellm, error) from None

    def _timed_out(self) -> LlmTimedOut:
        log.warning("LLM %s: no answer within %g s", self.model, self.config.timeout)
        return LlmTimedOut(f"the LLM did not answer within {self.config.timeout:g} s")

    def _translate(self, litellm: ModuleType, error: Exception) -> Exception:
        """litellm's exception -> ours; nothing from the provider's text reaches a message or log."""
        status = getattr(error, "status_code", None)
        kind = type(error).__name__
        if isinstance(error, litellm.Timeout):
            return self._timed_out()
        if isinstance(error, litellm.AuthenticationError) or status == 401:
            log.error("LLM %s: the provider %s rejected the API key (HTTP 401)", self.model, self.provider)
            return LlmKeyRejected(self.provider)
        if isinstance(error, litellm.RateLimitError):
            return _Retryable("rate limited, HTTP 429", _retry_after(error))
        failure = _connection_failure(error)
        if failure is not None:
            # litellm reports a refused connection as HTTP 500: say what really happened, and where.
            where = _server(self.config.api_base, error) or f"of {self.provider}"
            return _Retryable(
                f"the LLM server {where} could not be reached: {failure}", None, unreachable=True
            )
        retryable = (
            litellm.InternalServerError,
            litellm.ServiceUnavailableError,
            litellm.BadGatewayError,
            litellm.APIConnectionError,
        )
        if isinstance(error, retryable) or (isinstance(status, int) and status >= 500):
            reason = f"HTTP {status}" if isinstance(status, int) else "connection failed"
            return _Retryable(f"{kind}, {reason}", None)
        log.error("LLM %s refused the request: %s (HTTP %s)", self.model, kind, status)
        return LlmUnavailable(f"the LLM provider {self.provider} refused the request (HTTP {status or '?'})")


def _chain(error: BaseException) -> list[BaseException]:
    """The error and its causes, outermost first."""
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in found):
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _connection_failure(error: BaseException) -> str | None:
    """`connection refused` (or a few other words) when the call failed to connect at all."""
    chain = _chain(error)
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "host name not found"
    if any(type(e).__name__ in CONNECT_ERRORS for e in chain):
        return "no connection"
    return None


# The HTTP libraries' names for "could not connect" (httpx, openai's SDK, aiohttp).
CONNECT_ERRORS = {"ConnectError", "ConnectTimeout", "APIConnectionError", "ClientConnectorError"}


def _server(api_base: str, error: BaseException) -> str:
    """`at host:port` of the LLM server (never a key or a path), from the settings or the request."""
    url = api_base.strip()
    if not url:  # the SDK's own request knows the provider's address (litellm's may not)
        requests = [
            getattr(e, "request", None) for e in _chain(error) if type(e).__module__.startswith("httpx")
        ]
        url = next((str(r.url) for r in requests if r is not None), "")
    if not url:
        return ""
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        return ""
    if not parts.hostname:
        return ""
    return f"at {parts.hostname}:{port}" if port else f"at {parts.hostname}"


def _worth_retrying(error: BaseException) -> bool:
    if not isinstance(error, _Retryable):
        return False
    return error.retry_after is None or error.retry_after <= MAX_RETRY_WAIT


def _retry_after(error: Exception) -> float | None:
    """Seconds the provider asked us to wait (Retry-After or retry-after-ms), if it said."""
    for headers in (
        getattr(error, "litellm_response_headers", None),
        getattr(error, "headers", None),
        getattr(getattr(error, "response", None), "headers", None),
    ):
        if not headers:
            continue
        milliseconds = headers.get("retry-after-ms")
        if milliseconds:
            try:
                return max(0.0, float(milliseconds) / 1000)
            except ValueError:
                pass
        value = headers.get("retry-after") or headers.get("Retry-After")
        if value:
            return _seconds(str(value))
    return None


def _seconds(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())
