"""Running for months: health and metrics, SIGTERM mid-digest, and leader take-over, with real processes."""

from __future__ import annotations

import re
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.console.adapter import CONSOLE_CHANNEL, CONSOLE_USER
from bot.app import build_services
from bot.domain.commands import Subscribe
from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.support.processes import PaperboyProcess, free_port, paperboy_env

# The issue asks for a take-over "within a few seconds"; followers retry every half second here.
TAKEOVER_DEADLINE = 10.0


@pytest.fixture
def env(tmp_path: Path, today_arxiv: FakeArxiv, database_url: str) -> dict[str, str]:
    """A clean environment for `paperboy run`: JSON logs, a health port, quick leader retries."""
    return paperboy_env(
        tmp_path,
        database_url,
        today_arxiv,
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
        HEALTH_HOST="127.0.0.1",
        HEALTH_PORT=str(free_port()),
        LEADER_RETRY_SECONDS="0.5",
        LLM_API_KEY="sk-never-print-this-0123456789",
    )


def metric(text: str, name: str, **labels: str) -> float:
    """One sample from Prometheus text, 0 when absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}(?:\{{{re.escape(wanted)}\}})? (\S+)$" if wanted else rf"^{name} (\S+)$"
    match = re.search(pattern, text, flags=re.M)
    return float(match.group(1)) if match else 0.0


async def prepare_missed_digest(env: dict[str, str]) -> None:
    """A console channel following `convergence`, created two days ago and never sent a digest."""
    settings = Settings(_env_file=None, database_url=env["DATABASE_URL"], data_dir=Path(env["DATA_DIR"]),
                        arxiv_api_url=env["ARXIV_API_URL"], arxiv_rss_url=env["ARXIV_RSS_URL"])  # fmt: skip
    services = await build_services(settings)
    try:
        await services.engine.handle(CONSOLE_CHANNEL, CONSOLE_USER, Subscribe("convergence"))
        async with services.database.begin() as connection:
            await connection.execute(
                sa.text("UPDATE channels SET created_at = :old"),
                {"old": datetime.now(UTC) - timedelta(days=2)},
            )
    finally:
        await services.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_healthz_and_metrics_show_a_working_bot(env: dict[str, str]) -> None:
    bot = PaperboyProcess(env, "run")
    try:
        health = bot.wait_for_role("leader")
        assert health["http_status"] == 200
        assert health["status"] == "ok"
        assert health["scheduler"] == "running"
        assert health["adapters"] == {"console": True}

        bot.type("subscribe convergence")
        bot.type("digest")
        bot.wait_for_log("posted 10 papers")
        status, text = bot.get("/metrics")
        assert status == 200
        assert metric(text, "paperboy_digests_posted_total", platform="console") == 1
        assert metric(text, "paperboy_deliveries_total", platform="console") == 10
        assert metric(text, "paperboy_arxiv_requests_total", outcome="200") >= 2
        assert metric(text, "paperboy_leader") == 1
        assert "paperboy_llm_tokens_total" in text and "paperboy_errors_total" in text

        bot.signal(signal.SIGTERM)
        assert bot.wait() == 0
        assert "sk-never-print-this" not in "\n".join(bot.stderr + bot.stdout)
    finally:
        bot.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sigterm_during_a_digest_lets_it_finish_and_exits_cleanly(
    env: dict[str, str], today_arxiv: FakeArxiv
) -> None:
    await prepare_missed_digest(env)
    today_arxiv.latency = 1.0  # with arXiv's 3 s spacing, the digest takes several seconds
    bot = PaperboyProcess(env, "run")
    try:
        caught_up = bot.wait_for_log("catching up on the missed digest")
        bot.wait_until(lambda: today_arxiv.requests, 30, "the digest's first arXiv request")
        bot.signal(signal.SIGTERM)
        assert bot.wait() == 0, bot.output()
    finally:
        bot.close()

    stopping = next(e for e in bot.logs() if e["message"].startswith("stopping"))
    assert "1 digest(s) in flight" in stopping["message"]
    posted = next(e for e in bot.logs() if re.search(r"digest run \w+ for .* posted", e["message"]))
    assert posted["ts"] > stopping["ts"] > caught_up["ts"]
    count = int(re.search(r"posted (\d+) papers", posted["message"]).group(1))  # type: ignore[union-attr]
    assert count == 10
    items = [line for line in bot.stdout if re.match(r"^\d+\) ", line)]
    assert len(items) == count  # every post of the digest reached the channel
    # The run's log lines carry the channel and the run id.
    assert posted["channel"] == "console:local:console"
    assert re.fullmatch(r"[0-9a-f]{12}", posted["run_id"])
    assert posted["run_id"] in posted["message"]


def test_a_follower_takes_over_within_seconds_when_the_leader_is_killed(
    env: dict[str, str], database_url: str
) -> None:
    first = PaperboyProcess(env, "run")
    second: PaperboyProcess | None = None
    try:
        assert first.wait_for_role("leader")["scheduler"] == "running"
        second = PaperboyProcess({**env, "HEALTH_PORT": str(free_port())}, "run")
        follower = second.wait_for_role("follower")
        assert follower["http_status"] == 200  # a healthy follower is ready
        assert follower["scheduler"] == "stopped"
        time.sleep(1.5)  # several retries: the second must keep following while the first lives
        assert (second.health() or {}).get("role") == "follower"

        first.signal(signal.SIGKILL)
        first.wait()
        killed = time.monotonic()
        leader = second.wait_for_role("leader", timeout=TAKEOVER_DEADLINE)
        took = time.monotonic() - killed
        assert leader["scheduler"] == "running"
        print(f"take-over on {database_url.split(':')[0]}: {took:.2f} s")
        _, text = second.get("/metrics")
        assert metric(text, "paperboy_leader") == 1

        second.signal(signal.SIGTERM)
        assert second.wait() == 0
    finally:
        first.close()
        if second is not None:
            second.close()
