"""Discord's part of `paperboy doctor`: the bot token accepted by Discord's API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.doctor import TIMEOUT, Check

if TYPE_CHECKING:
    from bot.settings import Settings


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
