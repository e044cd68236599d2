"""Text from papers and from the LLM is data: it must not ping people or disguise links."""

from __future__ import annotations

import re

ZWSP = "\u200b"
# @everyone, @here, @channel (Slack and Discord mass mentions), in any letter case.
MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
# Slack <!channel>, <!here|here>, <!subteam^S1>, <@U123>, <#C123|general>; Discord <@123>, <@!1>, <@&1>, <#1>.
SPECIAL_ANGLE = re.compile(r"<([!@#][^<>\n]{0,200})>")
# Markdown [text](url) whose text is not the url itself.
MARKDOWN_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\(<?(\S{1,2000}?)>?\)")
# Slack's own link syntax <https://x|label>.
SLACK_LINK = re.compile(r"<((?:https?|mailto|ftp):[^<>|\s]{1,2000})\|([^<>\n]{0,300})>")


def sanitize_text(text: str) -> str:
    """Defang mentions and mass pings, and show every link's real target."""
    text = SLACK_LINK.sub(lambda m: _link(m.group(2), m.group(1)), text)
    text = MARKDOWN_LINK.sub(lambda m: _link(m.group(1), m.group(2)), text)
    text = SPECIAL_ANGLE.sub(lambda m: f"‹{m.group(1)}›", text)
    return MASS_MENTION.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)


def _link(label: str, target: str) -> str:
    label = label.strip()
    if not label or label == target or label.rstrip("/") == target.rstrip("/"):
        return target
    return f"{label} ({target})"
