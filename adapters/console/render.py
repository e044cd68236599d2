"""Replies as plain text for the console, in the layout of the predecessor bot's digest (seed 000)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

from bot.domain.digest import Digest, DigestItem, ExplanationText
from bot.domain.mute_choices import mute_choices
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
from bot.domain.topics import read_stored
from bot.rendering.sanitize import sanitize_text

USAGE_WIDTH = 30
TONE_MARK = {Tone.INFO: "", Tone.SUCCESS: "✓ ", Tone.WARNING: "! ", Tone.ERROR: "✗ "}
MAX_MUTE_HINTS = 12


def render_reply(reply: Reply) -> str:
    """Any reply as text."""
    match reply:
        case Notice():
            return TONE_MARK[reply.tone] + reply.text
        case Help():
            return render_help(reply)
        case TopicList():
            lines = ["Topics followed here:"]
            for t in reply.topics:
                lines.append(f"  {t.number}. {t.topic}   (added by {t.added_by or 'someone'})")
                lines += [f"       {t.note}"] if t.note else []
            if reply.mutes:
                lines += ["Muted here (papers with these never come):"]
                lines += [f"  {n}. {term}" for n, term in enumerate(reply.mutes, start=1)]
            return "\n".join(lines)
        case PaperCard():
            return render_paper(reply.paper, reply.explanation)
        case Answer():
            answer = render_explanation(reply.explanation)
            return f"Q: {sanitize_text(reply.question)}\n\n{answer}\n\n— {paper_line(reply.paper)}"
        case ChannelSettings():
            return render_settings(reply)
        case Digest():
            return render_digest(reply)
        case DigestPosted(posted=posted):
            return f"{TONE_MARK[Tone.SUCCESS]}Posted {posted} paper{'s' if posted != 1 else ''}."
        case MuteOffer():
            lines = [f"Mute one of these for this channel ({paper_line(reply.paper)}):"]
            return "\n".join(lines + [f"  mute {c.text}   ({c.kind.describe})" for c in reply.choices])
        case _:
            assert_never(reply)


def render_help(help_: Help) -> str:
    """The command list with an example each."""
    lines = [help_.lead, ""] if help_.lead else []
    lines.append("Commands (a leading / is optional):")
    for spec in help_.commands:
        if len(spec.usage) > USAGE_WIDTH:  # a long usage gets a line of its own
            lines.append(f"  {spec.usage}")
        usage = spec.usage if len(spec.usage) <= USAGE_WIDTH else ""
        lines.append(f"  {usage:<{USAGE_WIDTH}} {spec.summary}")
        if spec.typed_example != spec.usage:
            lines.append(f"  {'':<{USAGE_WIDTH}}   e.g. {spec.typed_example}")
    return "\n".join(lines)


def render_settings(settings: ChannelSettings) -> str:
    """A channel's settings, one per line."""
    last = f"{settings.last_digest:%Y-%m-%d %H:%M} UTC" if settings.last_digest else "never"
    upcoming = f"{settings.next_digest:%Y-%m-%d %H:%M} UTC" if settings.next_digest else "none (paused)"
    lines = [
        f"Settings for {settings.channel_label}:",
        f"  Schedule:     {settings.schedule.describe()}{' (paused)' if settings.paused else ''}",
        f"  Topics:       {settings.topic_count}",
        f"  Muted:        {', '.join(settings.mutes) or 'nothing'}",
        f"  Max papers:   {settings.max_papers}",
        f"  Last digest:  {last}",
        f"  Next digest:  {upcoming}",
    ]
    if settings.votes is not None:
        lines.append(f"  Ranking:      {settings.ranking_line}")
    return "\n".join(lines)


def render_digest_header(digest: Digest) -> str:
    """The digest's first lines: what, when, how many; or why there is nothing."""
    topics = ", ".join(digest.topics) if digest.topics else "none"
    if digest.is_empty:
        return f"Paperboy digest · {digest.day:%a %d %b %Y} · topics: {topics}\n\n{digest.empty_reason}"
    count = len(digest.items)
    note = digest.more_note("more")
    more = f" ({note})" if note else ""
    return (
        f"Paperboy digest · {digest.day:%a %d %b %Y} · {count} paper{'s' if count != 1 else ''}{more}"
        f" · topics: {topics}\n\n{digest.disclaimer}"
    )


def render_digest_item(item: DigestItem, topics: Sequence[str] = ()) -> str:
    """One numbered paper: title, authors, id and pdf, categories, why, what to mute, abstract, explanation.

    `topics`: the digest's topics, whose words that matched the paper are offered to mute.
    """
    hint = mute_hint(item, topics)
    return _paper_block(f"{item.position}) ", item.paper, item.why, item.explanation, hint, item.why_label)


def mute_hint(item: DigestItem, topics: Sequence[str]) -> str:
    """`convergence · au:"A. Author" · cat:math.OC`: what `mute` could stop of this paper here.

    A digest holds no paper with a muted term, so none of these is muted yet.
    """
    readable, _ = read_stored(topics)
    return " · ".join(choice.text for choice in mute_choices(item.paper, readable)[:MAX_MUTE_HINTS])


def render_digest(digest: Digest) -> str:
    """The whole digest as one text."""
    items = [render_digest_item(item, digest.topics) for item in digest.items]
    return "\n\n".join([render_digest_header(digest), *items])


def render_explanation(explanation: ExplanationText) -> str:
    """The explanation with what it was read from, or the fallback note."""
    if explanation.is_fallback:
        return sanitize_text(explanation.text)
    written = f"Written by {explanation.model} from the {explanation.source}."
    return sanitize_text(f"{explanation.text}\n\n({written})")


def paper_line(paper: Paper) -> str:
    """`Title (arXiv:2602.10905)`."""
    return f"{sanitize_text(paper.title)} (arXiv:{paper.arxiv_id})"


def render_paper(paper: Paper, explanation: ExplanationText) -> str:
    """A single paper for `explain`: the digest item layout without a number."""
    return _paper_block("", paper, "", explanation)


def _paper_block(
    number: str,
    paper: Paper,
    why: str,
    explanation: ExplanationText,
    mute: str = "",
    why_label: str = "Matched",
) -> str:
    lines = [
        f"{number}{sanitize_text(paper.title)}",
        "",
        f"  • Authors: {sanitize_text(', '.join(paper.authors))}",
        f"  • arXiv: {paper.arxiv_id} · pdf: {paper.pdf_url}",
        f"  • Categories: {sanitize_text(', '.join(paper.categories))}",
    ]
    if why:
        lines.append(f"  • {why_label}: {sanitize_text(why)}")
    if mute:
        lines.append(f"  • mute: {sanitize_text(mute)}")
    lines += ["", "Abstract", "", sanitize_text(paper.abstract), "", "Math explanation (LLM)", ""]
    lines.append(render_explanation(explanation))
    return "\n".join(lines)
