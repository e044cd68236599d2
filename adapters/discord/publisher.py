"""Posting digests to Discord channels: a header, one embed per paper, the long text in a thread."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import discord

from adapters.discord.buttons import paper_buttons
from adapters.discord.limits import Outgoing, pack
from adapters.discord.render import (
    digest_header_text,
    digest_item_text,
    paper_embed,
    render_reply,
    thread_name,
)
from bot.domain.channel import ChannelRef
from bot.domain.digest import Digest, DigestItem
from bot.domain.replies import Reply

log = logging.getLogger(__name__)

Sendable = discord.TextChannel | discord.Thread
MAX_THREADS_REMEMBERED = 1000


class ChannelUnreachable(Exception):
    """Discord refused a post to a channel; the message is safe to show to the channel's members."""


class Pacer:
    """Spaces posts across all channels, so a digest hour with many channels stays under Discord's limits.

    discord.py already waits out every 429 and per-route bucket; this keeps the bot from needing to.
    """

    def __init__(
        self,
        interval: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self._interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait_turn(self) -> None:
        """Return when this post may go out."""
        async with self._lock:
            now = self._monotonic()
            if now < self._next:
                await self._sleep(self._next - now)
                now = self._next
            self._next = now + self._interval


class DiscordPublisher:
    """The core's Publisher for Discord; a Forbidden or unknown channel raises so delivery can release."""

    platform = "discord"

    def __init__(self, client: discord.Client, pacer: Pacer):
        self._client = client
        self._pacer = pacer
        # Header message id -> the digest's thread (None when it could not be started).
        self._threads: dict[str, discord.Thread | None] = {}

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        """The header in the channel, and a thread on it for the papers' abstracts and explanations."""
        target = await self._channel(channel)
        messages = pack(digest_header_text(digest))
        first = await self._send(channel, target, messages[0])
        for message in messages[1:]:
            await self._send(channel, target, message)
        if not digest.is_empty:
            self._remember(str(first.id), await self._start_thread(channel, first, digest))
        return str(first.id)

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        """The paper's embed with its buttons in the channel; its abstract and explanation in the thread."""
        target = await self._channel(channel)
        thread = self._threads.get(parent)
        embed = paper_embed(item.paper, position=item.position, why=item.why)
        if thread is not None:
            embed.set_footer(text="Abstract and explanation in the thread above.")
        view = paper_buttons(item.paper.arxiv_id, thread.id if thread is not None else 0)
        posted = await self._send(channel, target, pack(embeds=[embed])[0], view=view)
        for message in pack(digest_item_text(item)):
            await self._send(channel, thread or target, message)
        return str(posted.id)

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        """Any other reply, as plain messages in the channel."""
        target = await self._channel(channel)
        sent = [await self._send(channel, target, message) for message in render_reply(reply)]
        return str(sent[0].id)

    async def _channel(self, ref: ChannelRef) -> Sendable:
        channel_id = int(ref.channel_id)
        found = self._client.get_channel(channel_id)
        if found is None:
            try:
                found = await self._client.fetch_channel(channel_id)
            except (discord.Forbidden, discord.NotFound) as error:
                raise self._unreachable(ref, error) from error
        if not isinstance(found, Sendable):
            raise ChannelUnreachable(f"{ref.label} is not a text channel I can post digests in.")
        return found

    async def _send(
        self,
        ref: ChannelRef,
        target: Sendable,
        message: Outgoing,
        *,
        view: discord.ui.View | None = None,
    ) -> discord.Message:
        await self._pacer.wait_turn()
        try:
            if view is None:
                return await target.send(content=message.content or None, embeds=message.embeds)
            return await target.send(content=message.content or None, embeds=message.embeds, view=view)
        except (discord.Forbidden, discord.NotFound) as error:
            raise self._unreachable(ref, error) from error

    async def _start_thread(
        self, ref: ChannelRef, header: discord.Message, digest: Digest
    ) -> discord.Thread | None:
        await self._pacer.wait_turn()
        try:
            return await header.create_thread(name=thread_name(digest), auto_archive_duration=10080)
        except (discord.Forbidden, discord.HTTPException) as error:
            log.warning(
                "discord: no digest thread in %s (%s): %s %s; abstracts go to the channel instead "
                "(give Paperboy Create Public Threads and Send Messages in Threads)",
                ref.label,
                ref.key,
                error.status,
                error.text,
            )
            return None

    def _remember(self, header_id: str, thread: discord.Thread | None) -> None:
        if len(self._threads) >= MAX_THREADS_REMEMBERED:
            self._threads.pop(next(iter(self._threads)))
        self._threads[header_id] = thread

    def _unreachable(self, ref: ChannelRef, error: discord.HTTPException) -> ChannelUnreachable:
        log.warning(
            "discord: cannot post to %s (%s): HTTP %s %s; check Paperboy's permissions in that channel",
            ref.label,
            ref.key,
            error.status,
            error.text,
        )
        return ChannelUnreachable(
            f"Discord refused my post in {ref.label} ({error.status} {error.text or 'no reason given'}). "
            "Paperboy needs View Channel, Send Messages, Embed Links, Create Public Threads and "
            "Send Messages in Threads there."
        )
