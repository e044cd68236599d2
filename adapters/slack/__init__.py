"""Slack adapter: imported only when Slack is configured; slack_bolt is loaded inside create_adapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.slack.pacing import ChannelPacer
    from bot.app import Services
    from bot.ports import ChatAdapter
    from bot.settings import Settings


def create_adapter(
    settings: Settings, services: Services, *, pacer: ChannelPacer | None = None
) -> ChatAdapter:
    """The Slack adapter for these settings: Socket Mode by default, HTTP mode when asked.

    Replay protection is kept in the services' database, so a restart or a second process still
    recognises a redelivered request.
    """
    from adapters.slack.adapter import SlackAdapter

    return SlackAdapter(settings, services, services.stores.seen_requests, pacer=pacer)
