"""Posting into Slack channels: digests, replies and thread answers, paced and with clear failures."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from adapters.slack.blocks import (
    METADATA_EVENT,
    SlackMessage,
    digest_header_messages,
    digest_item_message,
    item_thread_messages,
    render_reply,
)
from adapters.slack.pacing import ChannelPacer
from bot.domain.channel import ChannelRef
from bot.domain.digest import Digest, DigestItem
from bot.domain.replies import Reply
from bot.ports import ChannelUnavailable, ThreadLookup

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

# Slack errors that mean the channel cannot receive anything until a person acts.
CHANNEL_PROBLEMS = {
    "channel_not_found": "I can't see this channel (it was deleted, or it is private and I'm not in it).",
    "not_in_channel": "I'm not a member of this channel; invite me with `/invite @Paperboy`.",
    "is_archived": "This channel is archived.",
    "channel_is_archived": "This channel is archived.",
}
THREAD_MEMORY = 20_000
# How far back `find_post` reads a channel: pages of 200 top-level messages (Slack's advice).
HISTORY_PAGE = 200
HISTORY_PAGES = 3


class SlackPublishError(Exception):
    """Slack refused a post; the message is safe to show to a person."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


class SlackChannelUnavailable(SlackPublishError, ChannelUnavailable):
    """The channel is gone, archived, or the bot is not in it: the core pauses the channel."""


class ThreadIndex:
    """Which paper a message is about, so a question in its thread knows what to ask about."""

    def __init__(self, repository: ThreadLookup, size: int = THREAD_MEMORY):
        self._repository = repository
        self._size = size
        self._recent: OrderedDict[tuple[str, str], str] = OrderedDict()

    def remember(self, channel_id: str, ts: str, arxiv_id: str) -> None:
        """Note a message posted about a paper."""
        self._recent[(channel_id, ts)] = arxiv_id
        self._recent.move_to_end((channel_id, ts))
        while len(self._recent) > self._size:
            self._recent.popitem(last=False)

    async def paper_for(self, channel: ChannelRef, ts: str) -> str | None:
        """The paper of the message at `ts`: recent posts first, then digest deliveries on record."""
        found = self._recent.get((channel.channel_id, ts))
        if found is None:
            found = await self._repository.paper_for_message(channel, ts)
        return found


class SlackPublisher:
    """The core's Publisher for Slack: every post goes through chat.postMessage, paced per channel."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient, pacer: ChannelPacer, threads: ThreadIndex):
        self._client = client
        self._pacer = pacer
        self.threads = threads

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        """The digest's parent message: header, date, topics, count."""
        return (await self.post_messages(channel, digest_header_messages(digest)))[0]

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        """One paper with its buttons; its explanation or abstract goes in the item's thread."""
        ts = await self._post(channel, digest_item_message(item, digest.run_id))
        try:
            thread = item_thread_messages(item.paper, item.explanation)
            await self.post_messages(channel, thread, thread_ts=ts)
        except SlackPublishError as error:
            # The item itself is posted, so the paper counts as delivered.
            log.warning("slack: thread of %s in %s not posted: %s", item.paper.arxiv_id, channel.key, error)
        return ts

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        """Any other reply, as one or more messages; returns the first one's ts."""
        return (await self.post_messages(channel, render_reply(reply)))[0]

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        """The digest item this run posted for this paper, read back from the channel's recent history.

        Each item carries its paper and run in its message metadata. Raises when Slack cannot
        tell (no history scope, channel gone), so the claim is kept rather than posted twice.
        """
        cursor = ""
        for _ in range(HISTORY_PAGES):
            arguments: dict[str, Any] = {
                "channel": channel.channel_id,
                "limit": HISTORY_PAGE,
                "include_all_metadata": True,
            }
            if cursor:
                arguments["cursor"] = cursor
            response = await self._client.conversations_history(**arguments)
            for message in response.get("messages") or []:
                if is_digest_item(message, arxiv_id, run_id):
                    ts = str(message["ts"])
                    self.threads.remember(channel.channel_id, ts, arxiv_id)
                    return ts
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not response.get("has_more") or not cursor:
                break
        return None

    async def post_messages(
        self, channel: ChannelRef, messages: list[SlackMessage], *, thread_ts: str | None = None
    ) -> list[str]:
        """Post these messages in order (into a thread when `thread_ts` is given)."""
        posted: list[str] = []
        for message in messages:
            posted += await self._post_fitting(channel, message, thread_ts)
        return posted

    async def _post_fitting(
        self, channel: ChannelRef, message: SlackMessage, thread_ts: str | None
    ) -> list[str]:
        """Post a message; if Slack finds its blocks too long after all, post it in two halves."""
        try:
            return [await self._post(channel, message, thread_ts=thread_ts)]
        except SlackPublishError as error:
            if error.code != "msg_blocks_too_long" or len(message.blocks) < 2:
                raise
        # The total cap is undocumented and varies with the blocks: halve rather than lose the text.
        half = len(message.blocks) // 2
        first = replace(message, blocks=message.blocks[:half])
        text = message.text if message.text.endswith("(continued)") else f"{message.text} (continued)"
        second = replace(message, blocks=message.blocks[half:], text=text)
        return [
            *await self._post_fitting(channel, first, thread_ts),
            *await self._post_fitting(channel, second, thread_ts),
        ]

    async def post_ephemeral(
        self, channel: ChannelRef, user_id: str, reply: Reply, *, thread_ts: str | None = None
    ) -> None:
        """A reply only this person sees (refusals, errors, "noted")."""
        for message in render_reply(reply):
            arguments: dict[str, Any] = {
                "channel": channel.channel_id,
                "user": user_id,
                "text": message.text,
                "blocks": message.blocks,
            }
            if thread_ts:
                arguments["thread_ts"] = thread_ts
            try:
                await self._client.chat_postEphemeral(**arguments)
            except Exception as error:
                log.warning("slack: ephemeral reply in %s failed: %s", channel.key, _describe(error))

    async def _post(self, channel: ChannelRef, message: SlackMessage, *, thread_ts: str | None = None) -> str:
        from slack_sdk.errors import SlackApiError

        arguments: dict[str, Any] = {
            "channel": channel.channel_id,
            "text": message.text,
            "blocks": message.blocks,
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if message.metadata:
            arguments["metadata"] = message.metadata
        if thread_ts:
            arguments["thread_ts"] = thread_ts
        give_up_at = self._pacer.now() + self._pacer.patience
        while True:
            admitted = await self._pacer.turn(channel.channel_id)
            try:
                response = await self._client.chat_postMessage(**arguments)
                break
            except SlackApiError as error:
                retry_after = _retry_after(error)
                if retry_after is None:
                    raise _refusal(channel, error) from error
                # Slack is only slow: wait with the whole workspace, for as long as it asks (within reason).
                self._pacer.workspace.slow_down(admitted, retry_after)
                if self._pacer.now() + retry_after > give_up_at:
                    minutes = round(self._pacer.patience / 60)
                    log.warning("slack: still rate limited in %s after %d minutes", channel.key, minutes)
                    message_text = (
                        f"Slack kept asking me to slow down for {minutes} minutes; try again later."
                    )
                    raise SlackPublishError(message_text, "ratelimited") from error
        self._pacer.workspace.went_through()
        ts = str(response["ts"])
        if message.arxiv_id:
            self.threads.remember(channel.channel_id, ts, message.arxiv_id)
        return ts


def is_digest_item(message: dict[str, Any], arxiv_id: str, run_id: str) -> bool:
    """True for the digest item of this paper posted by this run (not an /explain card about it)."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return (
        metadata.get("event_type") == METADATA_EVENT
        and payload.get("arxiv_id") == arxiv_id
        and payload.get("run_id") == run_id
    )


def _retry_after(error: Exception) -> float | None:
    """The seconds a 429 asks to wait; None for any other error."""
    response = getattr(error, "response", None)
    if response is None or getattr(response, "status_code", None) != 429:
        return None
    headers = getattr(response, "headers", None) or {}
    try:
        return max(1.0, float(headers.get("Retry-After", 1)))
    except (TypeError, ValueError):
        return 1.0


def _refusal(channel: ChannelRef, error: Exception) -> SlackPublishError:
    """Slack's refusal as the error the core understands: the channel's fault, or the message's."""
    response = getattr(error, "response", None)
    code = str(response.get("error", "")) if response is not None else ""
    if code in CHANNEL_PROBLEMS:
        log.warning(
            "slack: cannot post to %s (%s): %s — %s", channel.label, channel.key, code, CHANNEL_PROBLEMS[code]
        )
        return SlackChannelUnavailable(CHANNEL_PROBLEMS[code], code)
    log.warning("slack: chat.postMessage to %s refused: %s", channel.key, code or error)
    return SlackPublishError(f"Slack refused the message ({code or 'no reason given'}).", code)


def _describe(error: Exception) -> str:
    response = getattr(error, "response", None)
    if response is not None:
        try:
            return str(response.get("error", error))
        except Exception:
            return type(error).__name__
    return str(error) or type(error).__name__
