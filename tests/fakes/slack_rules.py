"""What Slack's Web API refuses or slows down, so the fake Slack is as strict as the real one.

Block limits (documented, https://docs.slack.dev/reference/block-kit/blocks): at most 50 blocks a
message, 3,000 characters of section text, 150 of header text; beyond that Slack answers
`invalid_blocks`.

The total text of a message's blocks (undocumented): `chat.postMessage` refuses a message whose
blocks hold more than about 12,000 characters in all with `msg_blocks_too_long`, although every
block is within its own limit. slackapi/bolt-js#2509 measured the cut at 13,297 characters of
markdown blocks, lower once a divider was added (a server-side limit, labelled so by the
maintainers, who described it as "12,000 text characters with a buffer for block containers");
slackapi/bolt-js#2867 was refused at 11,341 characters of `.text` alone, and notes that `respond()`
(the `response_url`) accepts the same blocks. The fake counts every string in the blocks (text,
links, ids and block types: the containers' share) and refuses above 12,000, on chat.postMessage
only.

Interactive elements (documented): an `actions` block holds 1 to 25 elements and its `block_id` is at
most 255 characters, unique in the message
(https://docs.slack.dev/reference/block-kit/blocks/actions-block); a button's text is at most 75
characters, its `value` 2,000 and its `action_id` 255
(https://docs.slack.dev/reference/block-kit/block-elements/button-element); a `static_select` has
a placeholder of at most 150 characters and 1 to 100 options
(https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element); an option's text
and description are at most 75 characters and its `value` 150
(https://docs.slack.dev/reference/block-kit/composition-objects/option-object; the same figures in
@slack/types' `PlainTextOption`). An `action_id` must be unique among the message's elements
(Slack's docs ask for unique ids within the containing block; the fake is stricter and, as our
brief asks, refuses a repeat anywhere in the message, so a bot that relied on it would be caught).
Beyond any of these Slack answers `invalid_blocks`.

Rate limits (https://docs.slack.dev/apis/web-api/rate-limits): "chat.postMessage generally allows
posting one message per second per channel, while also maintaining a workspace-wide limit"; short
bursts are tolerated. Beyond a limit Slack answers HTTP 429 `ratelimited` with a `Retry-After`
header in whole seconds. `PostingLimits` models both as token buckets: a burst, then a steady rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3_000
MAX_HEADER_TEXT = 150
MAX_BLOCKS_TEXT = 12_000
MAX_ACTION_ELEMENTS = 25
MAX_ID = 255  # block_id, action_id
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2_000
MAX_PLACEHOLDER = 150
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150


def blocks_text_size(value: Any) -> int:
    """Characters of every string anywhere in these blocks."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(blocks_text_size(item) for item in value.values())
    if isinstance(value, list):
        return sum(blocks_text_size(item) for item in value)
    return 0


def refusal(method: str, args: dict[str, Any], blocks_text_limit: int = MAX_BLOCKS_TEXT) -> str | None:
    """The error Slack gives for these blocks, or None when it takes them."""
    blocks = args.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        return None
    if len(blocks) > MAX_BLOCKS:
        return "invalid_blocks"
    for block in blocks:
        text = (block.get("text") or {}).get("text", "") if isinstance(block, dict) else ""
        if block.get("type") == "section" and len(text) > MAX_SECTION_TEXT:
            return "invalid_blocks"
        if block.get("type") == "header" and len(text) > MAX_HEADER_TEXT:
            return "invalid_blocks"
    if not _elements_acceptable(blocks):
        return "invalid_blocks"
    if method == "chat.postMessage" and blocks_text_size(blocks) > blocks_text_limit:
        return "msg_blocks_too_long"
    return None


def _elements_acceptable(blocks: list[Any]) -> bool:
    """Whether every actions block and its buttons and menus are within Block Kit's limits."""
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for block in blocks:
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None:
            if not isinstance(block_id, str) or not 0 < len(block_id) <= MAX_ID or block_id in block_ids:
                return False
            block_ids.add(block_id)
        if not isinstance(block, dict) or block.get("type") != "actions":
            continue
        elements = block.get("elements")
        if not isinstance(elements, list) or not 0 < len(elements) <= MAX_ACTION_ELEMENTS:
            return False
        for element in elements:
            action_id = element.get("action_id", "")
            if not isinstance(action_id, str) or len(action_id) > MAX_ID or action_id in action_ids:
                return False
            action_ids.add(action_id)
            if not _element_acceptable(element):
                return False
    return True


def _element_acceptable(element: dict[str, Any]) -> bool:
    if element.get("type") == "button":
        text = (element.get("text") or {}).get("text", "")
        return 0 < len(text) <= MAX_BUTTON_TEXT and len(element.get("value", "")) <= MAX_BUTTON_VALUE
    if element.get("type") == "static_select":
        placeholder = (element.get("placeholder") or {}).get("text", "")
        options = element.get("options")
        if len(placeholder) > MAX_PLACEHOLDER or not isinstance(options, list):
            return False
        return 0 < len(options) <= MAX_OPTIONS and all(_option_acceptable(o) for o in options)
    return True


def _option_acceptable(option: Any) -> bool:
    if not isinstance(option, dict):
        return False
    text = (option.get("text") or {}).get("text", "")
    description = (option.get("description") or {}).get("text", "")
    value = option.get("value", "")
    return (
        0 < len(text) <= MAX_OPTION_TEXT
        and len(description) <= MAX_OPTION_TEXT
        and isinstance(value, str)
        and 0 < len(value) <= MAX_OPTION_VALUE
    )


@dataclass(slots=True)
class Bucket:
    """`burst` posts at once, then one every `1 / rate` seconds."""

    burst: int
    rate: float
    tokens: float = field(init=False)
    at: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.tokens = float(self.burst)

    def wait(self, now: float) -> float:
        """Seconds until a post may go (0: now)."""
        if self.at is not None:
            self.tokens = min(float(self.burst), self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        """Count a post that went (after `wait` said 0)."""
        self.tokens -= 1.0


class PostingLimits:
    """Slack's chat.postMessage limits for one workspace: per channel and workspace-wide."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.workspace: Bucket | None = None
        self._channel_limit: tuple[int, float] | None = None
        self._channels: dict[str, Bucket] = {}
        self.limited = 0  # 429s answered

    def limit_workspace(self, burst: int, per_second: float) -> None:
        """Every channel's posts together: `burst` at once, then `per_second`."""
        self.workspace = Bucket(burst, per_second)

    def limit_each_channel(self, burst: int, per_second: float) -> None:
        """Each channel's posts: `burst` at once, then `per_second`."""
        self._channel_limit = (burst, per_second)
        self._channels.clear()

    def retry_after(self, channel: str) -> int:
        """0 when this post may go, else the Retry-After (whole seconds, at least 1) of its 429."""
        now = self._now()
        buckets = [self.workspace] if self.workspace else []
        if self._channel_limit is not None:
            buckets.append(self._channels.setdefault(channel, Bucket(*self._channel_limit)))
        # A refused post uses up nothing: check first, take only when every bucket has room.
        waits = [bucket.wait(now) for bucket in buckets]
        if any(waits):
            self.limited += 1
            return max(1, math.ceil(max(waits)))
        for bucket in buckets:
            bucket.take()
        return 0
