"""Prometheus counters for operators, one place for every part of the bot to count into.

Call the functions, not the metrics: they never raise, so counting can't break a digest.
`paperboy run` serves these at /metrics.
"""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Counter, Gauge, ProcessCollector, generate_latest

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

DIGESTS_POSTED = Counter(
    "paperboy_digests_posted", "Digests posted to a channel (header and items).", ["platform"],
    registry=REGISTRY,
)  # fmt: skip
DELIVERIES = Counter(
    "paperboy_deliveries", "Papers posted to channels, each confirmed by the platform.", ["platform"],
    registry=REGISTRY,
)  # fmt: skip
ARXIV_REQUESTS = Counter(
    "paperboy_arxiv_requests", "HTTP requests sent to arXiv, by outcome (status code or `error`).",
    ["outcome"], registry=REGISTRY,
)  # fmt: skip
LLM_CALLS = Counter(
    "paperboy_llm_calls", "LLM requests, by model and outcome (`ok` or an error kind).",
    ["model", "outcome"], registry=REGISTRY,
)  # fmt: skip
LLM_TOKENS = Counter(
    "paperboy_llm_tokens", "LLM tokens used, by model and kind (`prompt` or `completion`).",
    ["model", "kind"], registry=REGISTRY,
)  # fmt: skip
ERRORS = Counter("paperboy_errors", "Failures by kind (see docs/operations.md).", ["kind"], registry=REGISTRY)
LEADER = Gauge("paperboy_leader", "1 while this process runs the scheduler, else 0.", registry=REGISTRY)

# Error kinds used by the core; other parts may add their own short snake_case kinds.
ERROR_ARXIV = "arxiv_unavailable"
ERROR_PLATFORM = "platform_post_failed"
ERROR_DIGEST = "digest_failed"
ERROR_COMMAND = "command_failed"
ERROR_LLM = "llm_failed"
ERROR_DATABASE = "database"


def _failed(action: str) -> None:
    log.debug("metrics: %s failed", action, exc_info=True)


def count_digest(platform: str, papers: int) -> None:
    """A digest with `papers` items reached a channel."""
    try:
        DIGESTS_POSTED.labels(platform=platform).inc()
        if papers > 0:
            DELIVERIES.labels(platform=platform).inc(papers)
    except Exception:
        _failed("count_digest")


def count_delivery(platform: str, papers: int = 1) -> None:
    """Papers posted outside a full digest (e.g. the rest of an interrupted one)."""
    try:
        if papers > 0:
            DELIVERIES.labels(platform=platform).inc(papers)
    except Exception:
        _failed("count_delivery")


def count_arxiv_request(outcome: int | str) -> None:
    """One request went to arXiv: its HTTP status, or `error` when no answer came."""
    try:
        ARXIV_REQUESTS.labels(outcome=str(outcome)).inc()
    except Exception:
        _failed("count_arxiv_request")


def count_llm_call(
    model: str, *, outcome: str = "ok", prompt_tokens: int = 0, completion_tokens: int = 0
) -> None:
    """One LLM request and the tokens it used (zero tokens for a failed one)."""
    try:
        LLM_CALLS.labels(model=model or "unknown", outcome=outcome).inc()
        if prompt_tokens > 0:
            LLM_TOKENS.labels(model=model or "unknown", kind="prompt").inc(prompt_tokens)
        if completion_tokens > 0:
            LLM_TOKENS.labels(model=model or "unknown", kind="completion").inc(completion_tokens)
        if outcome != "ok":
            ERRORS.labels(kind=ERROR_LLM).inc()
    except Exception:
        _failed("count_llm_call")


def count_error(kind: str) -> None:
    """Something failed; `kind` is a short snake_case word operators can alert on."""
    try:
        ERRORS.labels(kind=kind).inc()
    except Exception:
        _failed("count_error")


def set_leader(leading: bool) -> None:
    """Whether this process runs the scheduler."""
    try:
        LEADER.set(1 if leading else 0)
    except Exception:
        _failed("set_leader")


def exposition() -> bytes:
    """Every metric in Prometheus' text format."""
    return generate_latest(REGISTRY)
