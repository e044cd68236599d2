"""Slack's part of `paperboy doctor`: the tokens present, of the right kind, and accepted by Slack."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.doctor import TIMEOUT, Check

if TYPE_CHECKING:
    from bot.settings import Settings


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
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=int(TIMEOUT),
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
