"""Text from papers and from the LLM is data: it must not ping people or disguise links."""

from __future__ import annotations

import re

ZWSP = "\u200b"
# @everyone, @here, @channel (Slack and Discord mass mentions), in any letter case.
MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
# Slack <!channel>, <!here|here>, <!subteam^S1>, <@U123>, <#C123|general>; Discord <@123>, <@!1>, <@&1>, <#1>.
SPECIAL_ANGLE = re.compile(r"<([!@#][^<>\n]{0,200})>")
# A Markdown link as Discord's parser (simple-markdown's link rule) reads it: the label may hold
# one level of nested brackets and line breaks; the target may start after spaces, sit in <...>,
# and be followed by a quoted title: [x](https://e), [x]( https://e), [x](https://e "t"), [[x]](e).
MARKDOWN_LINK = re.compile(
    r"\[((?:\[[^\[\]]{0,300}\]|[^\[\]]){1,300})\]"
    r"\(\s*<?([^\s()<>]{1,2000}?)>?(?:\s+(?:\"[^\"]{0,300}\"|'[^']{0,300}'))?\s*\)"
)
# Whatever the pattern above did not take apart still cannot become a link: `](` is broken.
LINK_JOIN = re.compile(r"\]\(")
# Slack's own link syntax <https://x|label>.
SLACK_LINK = re.compile(r"<((?:https?|mailto|ftp):[^<>|\s]{1,2000})\|([^<>\n]{0,300})>")


def sanitize_text(text: str) -> str:
    """Defang mentions and mass pings, and show every link's real target."""
    text = SLACK_LINK.sub(lambda m: _link(m.group(2), m.group(1)), text)
    text = MARKDOWN_LINK.sub(lambda m: _link(m.group(1), m.group(2)), text)
    text = LINK_JOIN.sub(f"]{ZWSP}(", text)
    text = SPECIAL_ANGLE.sub(lambda m: f"‹{m.group(1)}›", text)
    return MASS_MENTION.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)


def _link(label: str, target: str) -> str:
    label = " ".join(label.split())
    if not label or label == target or label.rstrip("/") == target.rstrip("/"):
        return target
    return f"{label} ({target})"
