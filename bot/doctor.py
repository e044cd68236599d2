"""`paperboy doctor`: the core's checks (database, arXiv, LLM) and the report line they all share.

Each chat adapter brings its own checks (`adapters/<platform>/doctor.py`); the composition root,
`bot/cli.py`, gathers them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from bot.settings import Settings

Status = Literal["ok", "warn", "fail"]
TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report; `fix` says what to do when it is not ok."""

    name: str
    status: Status
    detail: str
    fix: str = ""


async def core_checks(settings: Settings) -> list[Check]:
    """The checks of what every deployment needs, in the order an operator would fix things."""
    return [await check_database(settings), await check_arxiv(settings), check_llm(settings)]


def no_chat_platform() -> Check:
    """What doctor says when no adapter found a chat platform configured."""
    return Check(
        "Chat",
        "warn",
        "no Slack or Discord token: `paperboy run` starts the local console",
        "set SLACK_BOT_TOKEN and SLACK_APP_TOKEN, or DISCORD_TOKEN",
    )


async def check_database(settings: Settings) -> Check:
    """Reachable, and at the schema this code expects."""
    from bot.infra.storage.database import create_engine, describe_error
    from bot.infra.storage.migrate import current_revision, head_revision, known_revision
    from bot.preflight import ConfigurationProblem, check_storage

    try:
        check_storage(settings)
    except ConfigurationProblem as problem:
        return Check("Database", "fail", str(problem), "change DATABASE_URL or DATA_DIR as it says")
    engine = create_engine(settings.resolved_database_url)
    backend = engine.url.get_backend_name()
    try:
        revision = await asyncio.wait_for(current_revision(engine), TIMEOUT)
    except Exception as error:
        return Check(
            "Database",
            "fail",
            f"{backend} unreachable: {describe_error(error)}",
            "check DATABASE_URL and that the server runs",
        )
    finally:
        await engine.dispose()
    head = head_revision()
    if revision == head:
        return Check("Database", "ok", f"{backend} reachable, schema at {head} (newest)")
    if revision is None:
        return Check(
            "Database",
            "warn",
            f"{backend} reachable, no schema yet",
            "`paperboy db upgrade` (paperboy run also does it at start)",
        )
    if not known_revision(revision):
        return Check(
            "Database",
            "fail",
            f"{backend} schema {revision} is newer than this Paperboy ({head})",
            "run the newer Paperboy, or restore a backup",
        )
    return Check(
        "Database",
        "warn",
        f"{backend} reachable, schema at {revision}, newest is {head}",
        "`paperboy db upgrade` (paperboy run also does it at start)",
    )


async def check_arxiv(settings: Settings) -> Check:
    """One real API request through the usual gated source, without retries."""
    from bot.infra.arxiv.retries import ArxivError
    from bot.infra.arxiv.source import ArxivSource

    source = ArxivSource.from_settings(settings.model_copy(update={"arxiv_retries": 0}))
    try:
        found = await asyncio.wait_for(source.search("cat:cs.LG", max_results=1), TIMEOUT + 5)
    except (ArxivError, TimeoutError) as error:
        return Check(
            "arXiv",
            "fail",
            f"{settings.arxiv_api_url}: {error or 'timed out'}",
            "check the network or ARXIV_API_URL; arXiv may also be down for a while",
        )
    finally:
        source.close()
    if not found:
        return Check(
            "arXiv",
            "warn",
            f"{settings.arxiv_api_url} answered with no papers",
            "arXiv sometimes returns empty pages; try again",
        )
    return Check("arXiv", "ok", f"{settings.arxiv_api_url} answered")


KEYLESS_PROVIDERS = {"ollama", "ollama_chat", "lm_studio", "vllm", "hosted_vllm"}


def check_llm(settings: Settings) -> Check:
    """Configured or not; never a failure, since digests work without it."""
    provider = settings.llm_provider.strip()
    model = settings.llm_model.strip()
    if not provider and not model:
        return Check(
            "LLM",
            "warn",
            "not configured: digests show abstracts",
            "set LLM_PROVIDER, LLM_MODEL and LLM_API_KEY for explanations",
        )
    name = model if "/" in model or not provider else f"{provider}/{model}"
    needs_key = provider not in KEYLESS_PROVIDERS and not settings.llm_api_base
    if not model:
        return Check("LLM", "warn", f"{provider} chosen but no model", "set LLM_MODEL")
    if needs_key and settings.llm_api_key is None:
        return Check("LLM", "warn", f"{name} has no key: digests show abstracts", "set LLM_API_KEY")
    return Check("LLM", "ok", f"{name} configured (not called by doctor)")
