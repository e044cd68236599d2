"""What Discord refuses in a message's components, so the fake Discord is as strict as the real one.

From discord-api-docs (Components reference, https://discord.com/developers/docs/components/reference,
mirrored by discord-api-types' `APIStringSelectComponent` and twilight-validate's constants):
at most 5 action rows a message; a row holds up to 5 buttons, or one select menu and nothing else;
a `custom_id` is at most 100 characters and unique in the message; a button's label at most 80;
a string select has 1 to 25 options and a placeholder of at most 150 characters, and an option's
label, value and description are at most 100 characters each. Discord answers such a message with
HTTP 400 `Invalid Form Body` (code 50035).
"""

from __future__ import annotations

from typing import Any

MAX_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_OPTIONS = 25
MAX_PLACEHOLDER = 150
MAX_OPTION_TEXT = 100
BUTTON, STRING_SELECT = 2, 3
INVALID_FORM_BODY = {"message": "Invalid Form Body", "code": 50035}


def components_acceptable(body: Any) -> bool:
    """Whether Discord takes the `components` of this message body (none at all is fine)."""
    rows = body.get("components") if isinstance(body, dict) else None
    if not rows:
        return True
    if not isinstance(rows, list) or len(rows) > MAX_ROWS:
        return False
    ids: set[str] = set()
    for row in rows:
        children = row.get("components") if isinstance(row, dict) else None
        if not isinstance(children, list) or not children:
            return False
        selects = [c for c in children if c.get("type") == STRING_SELECT]
        if (selects and len(children) > 1) or len(children) > MAX_BUTTONS_PER_ROW:
            return False
        for child in children:
            custom_id = child.get("custom_id")
            if custom_id is not None:
                if not isinstance(custom_id, str) or len(custom_id) > MAX_CUSTOM_ID or custom_id in ids:
                    return False
                ids.add(custom_id)
            if not _child_acceptable(child):
                return False
    return True


def _child_acceptable(child: dict[str, Any]) -> bool:
    if child.get("type") == BUTTON:
        return len(child.get("label") or "") <= MAX_BUTTON_LABEL
    if child.get("type") != STRING_SELECT:
        return True
    options = child.get("options")
    if not isinstance(options, list) or not 0 < len(options) <= MAX_OPTIONS:
        return False
    if len(child.get("placeholder") or "") > MAX_PLACEHOLDER:
        return False
    return all(
        isinstance(option, dict)
        and 0 < len(option.get("label") or "") <= MAX_OPTION_TEXT
        and 0 < len(option.get("value") or "") <= MAX_OPTION_TEXT
        and len(option.get("description") or "") <= MAX_OPTION_TEXT
        for option in options
    )
