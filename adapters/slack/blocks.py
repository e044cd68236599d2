"""Core replies as Block Kit messages, within Slack's limits, with a plain `text` for notifications."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, assert_never

from adapters.slack.buttons import action_buttons, mute_menu
from adapters.slack.lines import help_lines, settings_lines, topic_lines
from adapters.slack.mrkdwn import (
    MAX_BLOCKS,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_BLOCKS_TEXT,
    MAX_SECTION_TEXT,
    blocks_text_size,
    clip,
    pack_lines,
    safe,
    split_safe,
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

Block = dict[str, Any]
METADATA_EVENT = "paperboy_paper"
TONE_EMOJI = {
    Tone.INFO: "",
    Tone.SUCCESS: ":white_check_mark: ",
    Tone.WARNING: ":warning: ",
    Tone.ERROR: ":x: ",
}
MAX_AUTHORS_SHOWN = 12
MAX_TITLE = 400
MAX_NOTIFICATION = 3000


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """One chat.postMessage worth: blocks, the notification text, and optional metadata."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    arxiv_id: str = ""  # the paper this message is about, kept in its metadata
    run_id: str = ""  # the digest run that posted it (digest items only)

    @property
    def metadata(self) -> dict[str, Any] | None:
        """Slack message metadata naming the paper (and the digest run), so a post can be found again."""
        if not self.arxiv_id:
            return None
        payload = {"arxiv_id": self.arxiv_id}
        if self.run_id:
            payload["run_id"] = self.run_id
        return {"event_type": METADATA_EVENT, "event_payload": payload}


def section(text: str) -> Block:
    """A mrkdwn section; the caller keeps `text` within 3,000 characters."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def sections(lines: list[str]) -> list[Block]:
    """Escaped lines packed into as few sections as the limit allows."""
    return [section(text) for text in pack_lines(lines, MAX_SECTION_TEXT)]


def context(text: str) -> Block:
    """Small grey print."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_SECTION_TEXT)}]}


def header(text: str) -> Block:
    """A plain-text header (Slack caps it at 150 characters)."""
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, MAX_HEADER_TEXT)}}


DIVIDER: Block = {"type": "divider"}


def messages(blocks: list[Block], text: str, arxiv_id: str = "") -> list[SlackMessage]:
    """Blocks split into messages Slack accepts; later parts say they continue the first."""
    return grouped_messages([[block] for block in blocks], text, arxiv_id)


def grouped_messages(groups: list[list[Block]], text: str, arxiv_id: str = "") -> list[SlackMessage]:
    """Like `messages`, keeping each group (a digest item's blocks) in one message where it fits."""
    text = re.sub(r"&[a-z]{0,3}…$", "…", clip(text, MAX_NOTIFICATION))  # no half entity at the cut
    return [
        SlackMessage(text if n == 0 else f"{text} (continued)", chunk, arxiv_id)
        for n, chunk in enumerate(pack_blocks(groups))
    ]


def pack_blocks(groups: list[list[Block]]) -> list[list[Block]]:
    """Groups of blocks in as few messages as Slack's limits allow: 50 blocks and the total text cap.

    A group too large for any one message is cut between its blocks; a message never starts with a
    divider.
    """
    chunks: list[list[Block]] = [[]]
    size = 0
    for group in groups:
        group_size = blocks_text_size(group)
        pieces = [group] if _fits([], 0, group, group_size) else [[block] for block in group]
        for piece in pieces:
            piece_size = group_size if piece is group else blocks_text_size(piece)
            if chunks[-1] and not _fits(chunks[-1], size, piece, piece_size):
                chunks.append([])
                size = 0
                if piece[0] == DIVIDER:
                    piece, piece_size = piece[1:], piece_size - blocks_text_size(DIVIDER)
            chunks[-1].extend(piece)
            size += piece_size
    return chunks


def _fits(chunk: list[Block], size: int, piece: list[Block], piece_size: int) -> bool:
    return len(chunk) + len(piece) <= MAX_BLOCKS and size + piece_size <= MAX_MESSAGE_BLOCKS_TEXT


def render_reply(reply: Reply) -> list[SlackMessage]:
    """Any core reply as one or more Slack messages."""
    match reply:
        case Notice():
            text = TONE_EMOJI[reply.tone] + safe(reply.text)
            return messages([section(chunk) for chunk in split_safe(reply.text)], text)
        case Help():
            return render_help(reply)
        case TopicList():
            count = len(reply.topics)
            summary = f"This channel follows {count} topic{'s' if count != 1 else ''}"
            return messages(sections(topic_lines(reply)), summary)
        case PaperCard():
            explained = explanation_blocks(reply.paper, reply.explanation)
            blocks = [
                section(paper_summary(reply.paper)),
                *explained,
                action_buttons(reply.paper.arxiv_id, explain=False),
            ]
            return messages(blocks, paper_line(reply.paper), reply.paper.arxiv_id)
        case Answer():
            question = section(f"*Q:* {safe(clip(reply.question, 2500))}")
            answer = [section(chunk) for chunk in split_safe(reply.explanation.text)]
            footer = context(f"About {paper_link(reply.paper)}")
            text = f"Answer about {paper_line(reply.paper)}"
            return messages([question, *answer, footer], text, reply.paper.arxiv_id)
        case ChannelSettings():
            return render_settings(reply)
        case Digest():
            items = [[DIVIDER, *item_blocks(item, buttons=False)] for item in reply.items]
            return grouped_messages([digest_header_blocks(reply), *items], digest_summary(reply))
        case DigestPosted(posted=posted):
            return render_reply(Notice(f"Posted {posted} paper{'s' if posted != 1 else ''}.", Tone.SUCCESS))
        case MuteOffer():
            return render_mute_offer(reply)
        case _:
            assert_never(reply)


def render_mute_offer(offer: MuteOffer) -> list[SlackMessage]:
    """What "Mute…" on an item offers, as a menu only the clicker sees; a choice runs `mute`."""
    lead = section(
        f"*Mute for this channel*: papers with the term you choose won't come here again, whichever "
        f"topic brings them. From {paper_link(offer.paper)}:"
    )
    hint = context("`/paper unmute` undoes a mute; `/paper topics` lists them.")
    text = f"Mute a word, author or category of {paper_line(offer.paper)}"
    return messages([lead, mute_menu(offer.paper.arxiv_id, offer.choices), hint], text)


def render_help(help_: Help) -> list[SlackMessage]:
    """The command list, each with an example."""
    return messages(sections(help_lines(help_)), safe(help_.lead) or "Paperboy commands")


def render_settings(settings: ChannelSettings) -> list[SlackMessage]:
    """A channel's settings, one per line."""
    return messages(sections(settings_lines(settings)), f"Settings for {safe(settings.channel_label)}")


def digest_summary(digest: Digest) -> str:
    """The digest's one-line notification."""
    count = len(digest.items)
    topics = ", ".join(digest.topics) if digest.topics else "none"
    papers = f"{count} paper{'s' if count != 1 else ''}" if count else "nothing new"
    return f"Paperboy digest · {digest.day:%a %d %b %Y} · {papers} · topics: {safe(clip(topics, 1000))}"


def digest_header_blocks(digest: Digest) -> list[Block]:
    """Header, count, topics and the disclaimer (or why the digest is empty)."""
    blocks: list[Block] = [header(f"Paperboy digest · {digest.day:%a %d %b %Y}")]
    if digest.is_empty:
        blocks.append(section(safe(clip(digest.empty_reason, MAX_SECTION_TEXT // 2))))
    else:
        count = len(digest.items)
        note = digest.more_note("/paper more")
        more = f" ({note})" if note else ""
        blocks.append(section(f"*{count} new paper{'s' if count != 1 else ''}*{more}"))
    if digest.topics:
        shown = [f"`{safe(clip(topic, 500))}`" for topic in digest.topics]
        joined = "*Topics:* " + ", ".join(shown)
        blocks += [section(joined)] if len(joined) <= MAX_SECTION_TEXT else sections(["*Topics:*", *shown])
    if not digest.is_empty:
        blocks.append(context(safe(digest.disclaimer)))
    return blocks


def digest_header_messages(digest: Digest) -> list[SlackMessage]:
    """The digest's parent message."""
    return messages(digest_header_blocks(digest), digest_summary(digest))


def item_blocks(item: DigestItem, *, buttons: bool = True) -> list[Block]:
    """One paper of a digest, compact, with its buttons."""
    lines = [paper_summary(item.paper, position=item.position)]
    if item.reasons:
        lines.append(f"_{item.why_label}:_ {safe(clip(item.why, 1500))}")
    blocks = sections(lines)
    if buttons:
        blocks.append(action_buttons(item.paper.arxiv_id))
    return blocks


def digest_item_message(item: DigestItem, run_id: str = "") -> SlackMessage:
    """The message for one digest item; its metadata names the paper and the run posting it."""
    text = f"{item.position}. {paper_line(item.paper)}"
    return replace(messages(item_blocks(item), text, item.paper.arxiv_id)[0], run_id=run_id)


def paper_link(paper: Paper) -> str:
    """The title linked to the abstract page."""
    return f"<{paper.abs_url}|{safe(clip(' '.join(paper.title.split()), MAX_TITLE))}>"


def paper_line(paper: Paper) -> str:
    """`Title (arXiv:2602.10905)`, escaped, for notifications."""
    return f"{safe(clip(' '.join(paper.title.split()), MAX_TITLE))} (arXiv:{paper.arxiv_id})"


def paper_summary(paper: Paper, *, position: int | None = None) -> str:
    """Title link, authors, id, pdf and categories."""
    number = f"{position}. " if position is not None else ""
    authors = list(paper.authors[:MAX_AUTHORS_SHOWN])
    more = len(paper.authors) - len(authors)
    shown = ", ".join(clip(a, 80) for a in authors) + (f" and {more:,} more" if more > 0 else "")
    categories = ", ".join(paper.categories[:20])
    return "\n".join(
        [
            f"*{number}{paper_link(paper)}*",
            safe(shown),
            f"`arXiv:{paper.arxiv_id}` · <{paper.pdf_url}|pdf> · {safe(clip(categories, 300))}",
        ]
    )


def explanation_blocks(paper: Paper, explanation: ExplanationText) -> list[Block]:
    """The explanation, or the abstract with the note saying why there is none."""
    if explanation.is_fallback:
        blocks = [section("*Abstract*")] + [section(chunk) for chunk in split_safe(paper.abstract)]
        return [*blocks, context(safe(explanation.text))]
    model = f" · {safe(explanation.model)}" if explanation.model else ""
    blocks = [section(f"*Math explanation* (LLM{model})")]
    blocks += [section(chunk) for chunk in split_safe(explanation.text)]
    return [*blocks, context(f"Read from the {safe(explanation.source)}; verify with the PDF.")]


def item_thread_messages(paper: Paper, explanation: ExplanationText) -> list[SlackMessage]:
    """What goes in a digest item's thread: its explanation, or its abstract."""
    kind = "Abstract" if explanation.is_fallback else "Explanation"
    return messages(explanation_blocks(paper, explanation), f"{kind} of {paper_line(paper)}", paper.arxiv_id)
