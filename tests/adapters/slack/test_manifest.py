"""The app manifest creates the app the adapter expects, in one paste."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MANIFEST = Path(__file__).parents[3] / "adapters" / "slack" / "manifest.yaml"


def manifest() -> dict[str, Any]:
    """The manifest as Slack reads it."""
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


def test_the_manifest_declares_the_commands_events_and_scopes_the_adapter_uses() -> None:
    app = manifest()
    commands = {c["command"]: c for c in app["features"]["slash_commands"]}
    assert set(commands) == {"/paper", "/explain"}
    assert all(c["should_escape"] is False for c in commands.values())
    assert app["settings"]["socket_mode_enabled"] is True
    assert app["settings"]["interactivity"]["is_enabled"] is True
    assert {"app_mention", "message.channels", "message.groups", "reaction_added"} <= set(
        app["settings"]["event_subscriptions"]["bot_events"]
    )
    scopes = set(app["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "app_mentions:read", "channels:history", "users:read"} <= scopes
    assert "reactions:read" in scopes  # reaction_added needs it
    assert len(app["display_information"]["description"]) <= 140  # Slack's cap
