"""`paperboy doctor`: check the configuration against the real services and say what to fix."""

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


async def run_checks(settings: Settings) -> list[Check]:
    """Every check, in the order an operator would fix things."""
    checks = [await check_database(settings), await check_arxiv(settings), check_llm(settings)]
    checks += await check_slack(settings)
    checks += await check_discord(settings)
    if not any(c.name in ("Slack", "Discord") for c in checks):
        checks.append(
            Check(
                "Chat",
                "warn",
                "no Slack or Discord token: `paperboy run` starts the local console",
                "set SLACK_BOT_TOKEN and SLACK_APP_TOKEN, or DISCORD_TOKEN",
            )
        )
    return checks


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
    from bot.infra.arxiv.source import ArxivError, ArxivSource

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


async def check_slack(settings: Settings) -> list[Check]:
    """Tokens present and the bot token accepted by `auth.test`."""
    if settings.slack_bot_token is None:
        if settings.slack_app_token or settings.slack_signing_secret:
            return [Check("Slack", "fail", "SLACK_BOT_TOKEN missing", "set SLACK_BOT_TOKEN (xoxb-...)")]
        return []
    checks = [await _slack_auth(settings)]
    if settings.slack_http:
        if settings.slack_signing_secret is None:
            checks.append(
                Check(
                    "Slack mode",
                    "fail",
                    "HTTP mode without a signing secret",
                    "set SLACK_SIGNING_SECRET (Basic Information page of the app)",
                )
            )
    elif settings.slack_app_token is None:
        checks.append(
            Check(
                "Slack mode",
                "fail",
                "Socket Mode needs an app-level token",
                "set SLACK_APP_TOKEN (xapp-..., with connections:write)",
            )
        )
    elif not settings.slack_app_token.get_secret_value().startswith("xapp-"):
        checks.append(
            Check(
                "Slack mode",
                "fail",
                "SLACK_APP_TOKEN is not an app-level token",
                "use the xapp-... token from Basic Information > App-Level Tokens",
            )
        )
    return checks


async def _slack_auth(settings: Settings) -> Check:
    import aiohttp
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    assert settings.slack_bot_token is not None
    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url, timeout=15
    )
    try:
        answer = await client.auth_test()
    except SlackApiError as error:
        reason = error.response.get("error", "rejected") if error.response is not None else "rejected"
        return Check(
            "Slack",
            "fail",
            f"bot token rejected ({reason})",
            "copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions",
        )
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        return Check(
            "Slack",
            "fail",
            f"{settings.slack_api_url} unreachable ({type(error).__name__})",
            "check the network or SLACK_API_URL",
        )
    return Check("Slack", "ok", f"bot token accepted: {answer.get('user')} in {answer.get('team')}")


async def check_discord(settings: Settings) -> list[Check]:
    """The bot token accepted by GET /users/@me."""
    if settings.discord_token is None:
        return []
    import aiohttp

    url = settings.discord_api_url.rstrip("/") + "/users/@me"
    headers = {"Authorization": f"Bot {settings.discord_token.get_secret_value()}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as session,
            session.get(url, headers=headers) as response,
        ):
            if response.status == 401:
                return [
                    Check(
                        "Discord",
                        "fail",
                        "token rejected (401)",
                        "copy the token from the Bot page of the Developer Portal",
                    )
                ]
            if response.status != 200:
                return [
                    Check(
                        "Discord",
                        "fail",
                        f"{url} answered HTTP {response.status}",
                        "check DISCORD_API_URL; Discord may be down",
                    )
                ]
            me = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        return [
            Check(
                "Discord",
                "fail",
                f"{settings.discord_api_url} unreachable ({type(error).__name__})",
                "check the network or DISCORD_API_URL",
            )
        ]
    return [Check("Discord", "ok", f"token accepted: {me.get('username', '?')} (id {me.get('id', '?')})")]
