"""/healthz answers 503 when an adapter is down and 200 when all is well; /metrics is Prometheus text."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot import metrics
from bot.infra.health import HealthServer
from tests.support.processes import free_port


async def test_health_follows_the_report_and_metrics_are_prometheus_text() -> None:
    state: dict[str, Any] = {"healthy": False}

    def report() -> tuple[bool, dict[str, Any]]:
        return state["healthy"], {"role": "leader", "adapters": {"slack": state["healthy"]}}

    port = free_port()
    server = HealthServer("127.0.0.1", port, report)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 503
                assert await response.json() == {
                    "status": "unavailable", "role": "leader", "adapters": {"slack": False}
                }  # fmt: skip
            state["healthy"] = True
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
                assert (await response.json())["status"] == "ok"

            metrics.count_llm_call("openai/gpt-4o-mini", prompt_tokens=120, completion_tokens=30)
            metrics.count_llm_call("openai/gpt-4o-mini", outcome="timeout")
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/plain")
                text = await response.text()
        assert 'paperboy_llm_tokens_total{kind="completion",model="openai/gpt-4o-mini"}' in text
        assert 'paperboy_llm_calls_total{model="openai/gpt-4o-mini",outcome="timeout"} 1.0' in text
        assert 'paperboy_errors_total{kind="llm_failed"}' in text
    finally:
        await server.stop()


async def test_a_busy_port_does_not_stop_the_bot() -> None:
    port = free_port()
    first = HealthServer("127.0.0.1", port, lambda: (True, {}))
    second = HealthServer("127.0.0.1", port, lambda: (True, {}))
    await first.start()
    try:
        await second.start()  # logs an error instead of raising
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 200
    finally:
        await second.stop()
        await first.stop()


def test_counting_never_raises_on_odd_input() -> None:
    metrics.count_llm_call("", prompt_tokens=-5)
    metrics.count_delivery("slack", 0)
    metrics.count_error("")
    metrics.count_arxiv_request(None)  # type: ignore[arg-type]
