"""Core replies as Discord messages: content and embeds, every piece of paper or LLM text sanitised."""

from __future__ import annotations

from typing import assert_never

import discord

from adapters.discord.help import help_lines
from adapters.discord.limits import (
    FIELD_VALUE_LIMIT,
    TITLE_LIMIT,
    Outgoing,
    clip,
    pack,
    text_embeds,
)
from bot.domain.digest import Digest, DigestItem, ExplanationText
from bot.domain.paper import Paper
from bot.domain.replies import (
    Answer,
    ChannelSettings,
    DigestPosted,
    Help,
    MuteOffer,
    Notice,
    PaperCard,
    Reply,
    Tone,
    TopicList,
)
from bot.rendering.sanitize import sanitize_text as clean

TONE_MARK = {Tone.INFO: "", Tone.SUCCESS: "✅ ", Tone.WARNING: "⚠️ ", Tone.ERROR: "❌ "}
PAPER_COLOUR = discord.Colour(0xB31B1B)  # arXiv red
INFO_COLOUR = discord.Colour.blurple()
MAX_AUTHORS_SHOWN = 30


def render_reply(reply: Reply) -> list[Outgoing]:
    """Any reply as one or more messages within Discord's limits."""
    match reply:
        case Notice():
            return pack(notice_text(reply))
        case Help():
            return render_help(reply)
        case TopicList():
            lines = [
                f"**{t.number}.** `{clean(t.topic)}` · added by {clean(t.added_by or 'someone')}"
                + (f"\n   {clean(t.note)}" if t.note else "")
                for t in reply.topics
            ]
            if reply.mutes:
                lines.append("**Muted here** (papers with these never come):")
                lines += [f"**{n}.** `{clean(m)}`" for n, m in enumerate(reply.mutes, start=1)]
            return pack(
                embeds=text_embeds("\n".join(lines), title="Topics followed here", colour=INFO_COLOUR)
            )
        case PaperCard():
            embeds = [paper_embed(reply.paper)]
            embeds += text_embeds(explanation_text(reply.paper, reply.explanation), colour=PAPER_COLOUR)
            return pack(embeds=embeds)
        case Answer():
            title = clip(f"Q: {clean(reply.question)}", TITLE_LIMIT)
            embeds = text_embeds(clean(reply.explanation.text), title=title, colour=PAPER_COLOUR)
            embeds[-1].set_footer(text=clean(f"{reply.paper.title} (arXiv:{reply.paper.arxiv_id})"))
            return pack(embeds=embeds)
        case ChannelSettings():
            return pack(embeds=[settings_embed(reply)])
        case Digest():
            return render_digest(reply)
        case DigestPosted(posted=posted):
            papers = f"{posted} paper{'s' if posted != 1 else ''}"
            return pack(notice_text(Notice(f"Digest posted. It holds {papers}.", Tone.SUCCESS)))
        case MuteOffer():
            return pack(
                f"**Mute for this channel**: papers with the term you choose won't come here again, "
                f"whichever topic brings them. From *{clip(clean(reply.paper.title), 300)}* "
                f"({reply.paper.arxiv_id}); `/paper unmute` undoes it."
            )
        case _:
            assert_never(reply)


def notice_text(notice: Notice) -> str:
    """A notice as one line of content with a mark for its tone."""
    return TONE_MARK[notice.tone] + clean(notice.text)


def render_help(help_: Help) -> list[Outgoing]:
    """The commands as typed on Discord, each with what it does and an example."""
    embeds = text_embeds(help_lines(help_), title="Paperboy commands", colour=INFO_COLOUR)
    return pack(clean(help_.lead), embeds)


def settings_embed(settings: ChannelSettings) -> discord.Embed:
    """A channel's settings as embed fields."""
    last = discord.utils.format_dt(settings.last_digest) if settings.last_digest else "never"
    upcoming = discord.utils.format_dt(settings.next_digest) if settings.next_digest else "none (paused)"
    schedule = settings.schedule.describe() + (" (paused)" if settings.paused else "")
    embed = discord.Embed(title=clip(f"Settings for {clean(settings.channel_label)}", TITLE_LIMIT))
    embed.colour = INFO_COLOUR
    embed.add_field(name="Schedule", value=schedule, inline=False)
    embed.add_field(name="Topics", value=str(settings.topic_count))
    muted = ", ".join(f"`{clean(m)}`" for m in settings.mutes) or "nothing"
    embed.add_field(name="Muted", value=clip(muted, 1024), inline=False)
    embed.add_field(name="Max papers", value=str(settings.max_papers))
    embed.add_field(name="Last digest", value=last, inline=False)
    embed.add_field(name="Next digest", value=upcoming, inline=False)
    if settings.votes is not None:
        embed.add_field(name="Ranking (from votes)", value=clip(settings.ranking_line, 1024), inline=False)
    return embed


def digest_header_text(digest: Digest) -> str:
    """The digest's first message: day, count, topics, and the disclaimer (or why it is empty)."""
    topics = clip(", ".join(f"`{clean(t)}`" for t in digest.topics) or "none", 1000)
    head = f"📰 **Paperboy digest** · {digest.day:%a %d %b %Y}"
    if digest.is_empty:
        return f"{head} · topics: {topics}\n{clean(digest.empty_reason)}"
    count = len(digest.items)
    note = digest.more_note("/paper more")
    more = f" ({note})" if note else ""
    return (
        f"{head} · {count} paper{'s' if count != 1 else ''}{more} · topics: {topics}\n*{digest.disclaimer}*"
    )


def thread_name(digest: Digest) -> str:
    """The digest thread's name (at most 100 characters)."""
    return f"Paperboy {digest.day:%d %b %Y}: abstracts and explanations"


def paper_embed(
    paper: Paper, *, position: int | None = None, why: str = "", why_label: str = "Matched"
) -> discord.Embed:
    """One paper: title linked to its abstract page, authors, id and pdf, categories, why it matched."""
    title = clean(paper.title)
    if position is not None:
        title = f"{position}) {title}"
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), url=paper.abs_url, colour=PAPER_COLOUR)
    embed.description = clip(authors_line(paper), FIELD_VALUE_LIMIT)
    embed.add_field(name="arXiv", value=f"[{paper.arxiv_id}]({paper.abs_url}) · [pdf]({paper.pdf_url})")
    embed.add_field(name="Categories", value=clip(clean(", ".join(paper.categories)), FIELD_VALUE_LIMIT))
    if why:
        embed.add_field(name=why_label, value=clip(clean(why), FIELD_VALUE_LIMIT), inline=False)
    return embed


def authors_line(paper: Paper) -> str:
    """`Authors: A, B, C` with a count instead of a list past thirty names."""
    shown = ", ".join(clean(a) for a in paper.authors[:MAX_AUTHORS_SHOWN])
    extra = len(paper.authors) - MAX_AUTHORS_SHOWN
    return f"**Authors:** {shown}" + (f" and {extra} more" if extra > 0 else "")


def explanation_text(paper: Paper, explanation: ExplanationText) -> str:
    """The abstract and the explanation (or its fallback note), in the predecessor bot's order."""
    written = f"\n-# {clean(explanation.model)}, from the {clean(explanation.source)}"
    return (
        f"**Abstract**\n{clean(paper.abstract)}\n\n**Math explanation (LLM)**\n{clean(explanation.text)}"
        + (written if explanation.model else "")
    )


def digest_item_text(item: DigestItem) -> str:
    """What the digest thread says about one paper."""
    return f"**{item.position}) {clean(item.paper.title)}**\n{explanation_text(item.paper, item.explanation)}"


def render_digest(digest: Digest) -> list[Outgoing]:
    """A digest shown as a reply (`preview`): the header, then one embed per paper."""
    embeds = [
        paper_embed(item.paper, position=item.position, why=item.why, why_label=item.why_label)
        for item in digest.items
    ]
    return pack(digest_header_text(digest), embeds)
