"""Replies Slack shows as plain lines: the command list, a channel's topics and its settings."""

from __future__ import annotations

from adapters.slack.mrkdwn import clip, escape, safe
from bot.domain.replies import ChannelSettings, Help, TopicList


def help_lines(help_: Help) -> list[str]:
    """One line a command, each with an example of it in use."""
    lines = [safe(help_.lead), ""] if help_.lead else []
    lines.append("*Paperboy commands* (type them after `/paper`, or mention @Paperboy):")
    for spec in help_.commands:
        example = spec.typed_example
        shown = f" e.g. `/paper {escape(example)}`" if example != spec.usage else ""
        lines.append(f"• `{escape(spec.usage)}`: {escape(spec.summary)}.{shown}")
    lines.append(escape("• `/explain <arXiv id or link>`: the same as `/paper explain`."))
    return lines


def settings_lines(settings: ChannelSettings) -> list[str]:
    """A channel's settings, one per line."""
    last = f"{settings.last_digest:%Y-%m-%d %H:%M} UTC" if settings.last_digest else "never"
    upcoming = f"{settings.next_digest:%Y-%m-%d %H:%M} UTC" if settings.next_digest else "none (paused)"
    lines = [
        f"*Settings for {safe(settings.channel_label)}*",
        f"Schedule: {escape(settings.schedule.describe())}{' (paused)' if settings.paused else ''}",
        f"Topics: {settings.topic_count}",
        "Muted: " + (", ".join(f"`{safe(m)}`" for m in settings.mutes) or "nothing"),
        f"Max papers: {settings.max_papers}",
        f"Last digest: {last}",
        f"Next digest: {upcoming}",
    ]
    if settings.votes is not None:
        lines.append(f"Ranking: {escape(settings.ranking_line)}")
    return lines


def topic_lines(topics: TopicList) -> list[str]:
    """The channel's topics, numbered, each `like:` or `~` one said in words, then its mutes."""
    lines = ["*Topics followed in this channel:*"]
    for t in topics.topics:
        lines.append(f"{t.number}. `{safe(clip(t.topic, 500))}` (added by {safe(t.added_by or 'someone')})")
        lines += [f"      {safe(clip(t.note, 500))}"] if t.note else []
    if topics.mutes:
        lines.append("*Muted here* (papers with these never come):")
        lines += [f"{n}. `{safe(clip(m, 500))}`" for n, m in enumerate(topics.mutes, start=1)]
    return lines
