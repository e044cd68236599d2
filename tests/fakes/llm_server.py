"""A fake OpenAI-compatible LLM server on 127.0.0.1: `POST /v1/chat/completions`, programmable.

    with FakeLlm() as fake:
        # LLM_PROVIDER=openai, LLM_API_BASE=fake.api_base, LLM_API_KEY=fake.api_key,
        # or Settings(**settings_for(fake, fake_arxiv))
        fake.delay = 10               # every reply now takes 10 s ("the LLM is slow")
        fake.hold()                   # ...or until the test calls fake.release(), whichever is first
        await fake.wait_for_request() # the bot asked; `fake.answered` counts the replies sent
        fake.rate_limit_next(retry_after=0.2)
        fake.fail_next(2, status=500)
        fake.reply_next("Hello @everyone")
        fake.usage_missing = "omitted"  # replies carry no `usage` (or "null", "zeros"), as some servers do
        ...
        fake.calls, fake.requests[-1].body["messages"]
        fake.most_in_flight           # the most requests it held at once (the bot's concurrency)

`FakeLlm(wait=...)` replaces how a reply's delay is waited out: the benchmark counts it on its
virtual clock instead of sleeping (benchmarks/virtual_time.py).

Token usage: OpenAI's API sends `usage` with every non-streamed chat completion, but the field is
optional in OpenAI's own OpenAPI schema (Azure/azure-rest-api-specs#33315 made it optional in
Azure's spec to match), and OpenAI-compatible servers do leave it out or send nothing in it:
Microsoft Foundry Local sent no `usage` object on `/v1/chat/completions` (microsoft/foundry-local#369)
and `"usage": null` (microsoft/foundry-local#173, "the usage field is always null"); AnythingLLM's
OpenAI-compatible endpoint sent it missing or null (Mintplex-Labs/anything-llm#2956); open-swarm
sent all zeros (matthewhand/open-swarm#141). litellm 1.106 turns each of these into a `Usage` of
zeros, so a client that trusts it charges nothing. `usage_missing` plays them back.

Standalone: `python -m tests.fakes.llm_server --port 8766 --delay 2` prints its `/v1` base URL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Literal

from pydantic import SecretStr

from tests.fakes.threaded_http import ThreadedHttpFake, serve_until_stopped

if TYPE_CHECKING:
    from tests.fakes.arxiv_server import FakeArxiv

DEFAULT_KEY = "test-key"
ReplyMaker = Callable[[dict[str, Any]], str]
# How a server without token counts answers: no `usage` key, `"usage": null`, or zeros in it.
UsageMissing = Literal["omitted", "null", "zeros"]


@dataclass(frozen=True, slots=True)
class LlmRequest:
    """One chat completion request as the fake received it."""

    body: dict[str, Any]
    authorization: str
    time: float

    @property
    def system(self) -> str:
        """The system message's text."""
        return "\n".join(m["content"] for m in self.body.get("messages", []) if m.get("role") == "system")

    @property
    def user(self) -> str:
        """Every user message's text, joined."""
        return "\n".join(m["content"] for m in self.body.get("messages", []) if m.get("role") == "user")


@dataclass(frozen=True, slots=True)
class Scripted:
    """One programmed answer: a status, an assistant text or error, headers, a stall."""

    status: int = 200
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    usage: tuple[int, int] | None = None
    usage_missing: UsageMissing | None = None


def default_reply(body: dict[str, Any]) -> str:
    """A plausible explanation naming the paper's first line, so tests can tell papers apart."""
    user = "\n".join(m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user")
    title = next(
        (line.removeprefix("Title: ") for line in user.splitlines() if line.startswith("Title:")), ""
    )
    return (
        f"**Problem.** What the paper “{title}” sets out to solve.\n"
        "**Key idea.** Replace the plain gradient by a preconditioned one.\n"
        "**Main objects.** A loss `f(x)` and its Hessian `∇²f(x)`; the update is `x⁺ = x − η H⁻¹∇f(x)`.\n"
        "**Why it matters.** Faster convergence on ill-conditioned problems.\n"
        "**Limits.** Assumes strong convexity."
    )


class FakeLlm(ThreadedHttpFake):
    """Answers chat completions like OpenAI's API, recording each request."""

    thread_name = "fake-llm"

    def __init__(self, api_key: str = DEFAULT_KEY, *, wait: Callable[[float], object] | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        # Seconds every reply waits before it is sent ("the LLM takes 10 seconds").
        self.delay = 0.0
        self.reply: str | ReplyMaker = default_reply
        # Tokens reported in `usage`; None counts about 4 characters a token.
        self.usage: tuple[int, int] | None = None
        # Set to answer as the servers that report no token usage do (see the module docstring).
        self.usage_missing: UsageMissing | None = None
        self._script: deque[Scripted] = deque()
        self._requests: list[LlmRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        # Set while replies flow freely; `hold()` clears a fresh one, `release()` and `stop()` set it.
        self._released = threading.Event()
        self._released.set()
        self._answered = 0
        self._in_flight = 0
        self._most_in_flight = 0
        self._wait = wait
        # Set whenever a chat completion request arrives; a test may `clear()` it before acting.
        self.arrived = threading.Event()

    # Lifecycle

    def _release_waiters(self) -> None:
        """Release stalled and held replies."""
        self._stopping.set()
        self._released.set()

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        """Answers `POST /v1/chat/completions` from `respond`."""
        return _handler_for(self)

    @property
    def api_base(self) -> str:
        """Where `LLM_API_BASE` should point."""
        return f"{self.url}/v1"

    # Programming

    def enqueue(self, *answers: Scripted) -> None:
        """Answer the next requests with these, in order, before the default reply resumes."""
        with self._lock:
            self._script.extend(answers)

    def reply_next(
        self, text: str, *, usage: tuple[int, int] | None = None, usage_missing: UsageMissing | None = None
    ) -> None:
        """The next request gets exactly this assistant text (and this usage, or none)."""
        self.enqueue(Scripted(text=text, usage=usage, usage_missing=usage_missing))

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """The next n requests get this error status."""
        self.enqueue(*[Scripted(status=status)] * n)

    def rate_limit_next(self, n: int = 1, retry_after: float = 0.1) -> None:
        """The next n requests get 429 with a Retry-After header (seconds)."""
        self.enqueue(*[Scripted(status=429, headers={"Retry-After": f"{retry_after:g}"})] * n)

    def stall_next(self, n: int = 1, seconds: float = 5.0) -> None:
        """The next n requests wait this long before a normal reply."""
        self.enqueue(*[Scripted(delay=seconds)] * n)

    def hold(self) -> None:
        """Keep every reply from now on until `release()`, or until `delay` runs out when it is set.

        So a test can show what a user sees while the LLM is still busy, without waiting for it.
        """
        with self._lock:
            if self._released.is_set():
                self._released = threading.Event()

    def release(self) -> None:
        """Send every held reply now; later requests are answered as usual."""
        with self._lock:
            self._released.set()

    # Observation

    async def wait_for_request(self, within: float = 5.0) -> LlmRequest:
        """The latest request, once one has arrived (see `arrived`); fails after `within` seconds."""
        arrived = await asyncio.to_thread(self.arrived.wait, within)
        assert arrived, f"no chat completion request reached the fake LLM within {within:g} s"
        return self.requests[-1]

    @property
    def answered(self) -> int:
        """How many requests have been given their reply (or error) so far."""
        with self._lock:
            return self._answered

    @property
    def most_in_flight(self) -> int:
        """The most requests that were waiting for their reply at the same time."""
        with self._lock:
            return self._most_in_flight

    @property
    def requests(self) -> list[LlmRequest]:
        """Every chat completion request so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def calls(self) -> int:
        """How many chat completions were asked for."""
        with self._lock:
            return len(self._requests)

    # Serving

    def respond(self, body: dict[str, Any], authorization: str) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Status, headers and JSON body for one chat completion request."""
        with self._lock:
            self._requests.append(LlmRequest(body, authorization, time.monotonic()))
            scripted = self._script.popleft() if self._script else Scripted()
            released = self._released
            self._in_flight += 1
            self._most_in_flight = max(self._most_in_flight, self._in_flight)
        self.arrived.set()
        wait = scripted.delay or self.delay
        if not released.is_set():
            released.wait(wait or None)  # `release()`, `stop()` or the delay, whichever comes first
        elif wait and self._wait is not None:
            self._wait(wait)
        elif wait:
            self._stopping.wait(wait)
        try:
            return self._answer(scripted, body, authorization)
        finally:
            with self._lock:
                self._answered += 1
                self._in_flight -= 1

    def _answer(
        self, scripted: Scripted, body: dict[str, Any], authorization: str
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if authorization != f"Bearer {self.api_key}":
            return 401, {}, _error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        if scripted.status != 200:
            kind = "rate_limit_exceeded" if scripted.status == 429 else "server_error"
            return scripted.status, scripted.headers, _error(f"fake failure {scripted.status}", kind, kind)
        reply = self.reply if scripted.text is None else scripted.text
        text = reply(body) if callable(reply) else reply
        prompt_chars = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
        prompt, completion = scripted.usage or self.usage or (prompt_chars // 4 + 1, len(text) // 4 + 1)
        answer = _completion(str(body.get("model", "")), text, prompt, completion)
        missing = scripted.usage_missing or self.usage_missing
        if missing == "omitted":
            del answer["usage"]
        elif missing == "null":
            answer["usage"] = None
        elif missing == "zeros":
            answer["usage"] = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        return 200, scripted.headers, answer


def settings_for(fake: FakeLlm, arxiv: FakeArxiv) -> dict[str, Any]:
    """`Settings` values for the real LLM explainer on this fake, reading full texts from the fake arXiv."""
    return {
        "llm_provider": "openai",
        "llm_model": "fake-model",
        "llm_api_base": fake.api_base,
        "llm_api_key": SecretStr(fake.api_key),
        "llm_retry_wait": 0.01,
        "llm_max_retries": 2,
        "arxiv_html_url": arxiv.html_url,
        "arxiv_pdf_url": arxiv.pdf_url,
    }


def _error(message: str, kind: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _completion(model: str, text: str, prompt: int, completion: int) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-fake{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


def _handler_for(fake: FakeLlm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0") or 0)
            raw = self.rfile.read(length)
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {}, _error("no such route", "invalid_request_error", "not_found"))
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send(400, {}, _error("body is not JSON", "invalid_request_error", "bad_json"))
                return
            status, headers, answer = fake.respond(body, self.headers.get("Authorization", ""))
            self._send(status, headers, answer)

        def _send(self, status: int, headers: dict[str, str], answer: dict[str, Any]) -> None:
            data = json.dumps(answer).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (its timeout)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def main(argv: list[str] | None = None) -> None:
    """Run the fake until interrupted, printing its `/v1` base URL first."""
    parser = argparse.ArgumentParser(description="Serve a fake OpenAI-compatible chat completions API.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds every reply waits")
    parser.add_argument("--key", default=DEFAULT_KEY, help="the API key it accepts")
    parser.add_argument(
        "--usage-missing", choices=["omitted", "null", "zeros"], help="report no token usage, this way"
    )
    args = parser.parse_args(argv)
    fake = FakeLlm(args.key)
    fake.delay = args.delay
    fake.usage_missing = args.usage_missing
    serve_until_stopped(fake, args.port, lambda: fake.api_base)


if __name__ == "__main__":
    main()
