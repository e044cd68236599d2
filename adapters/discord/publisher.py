"""Posting digests to Discord channels: a header, one embed per paper, the long text in a thread."""

from __future__ import annotations

import asyncio
import hashlib
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
from bot.domain.paper import ABS_URL
from bot.domain.replies import Reply
from bot.ports import ChannelUnavailable

log = logging.getLogger(__name__)

Sendable = discord.TextChannel | discord.Thread
MAX_THREADS_REMEMBERED = 1000
# How many of a channel's latest messages `find_post` reads (two pages of Discord's 100).
HISTORY_LOOKBACK = 200


class ChannelUnreachable(ChannelUnavailable):
    """Discord refused a post to a channel (bot removed, permission missing): the core pauses it.

    The message is safe to show to the channel's members.
    """


def item_nonce(channel: ChannelRef, arxiv_id: str) -> str:
    """The same nonce for the same paper in the same channel, so Discord drops a repeated post.

    discord.py sends `enforce_nonce` with every nonce: within a few minutes Discord answers a
    repeat with the message already posted instead of posting it again (nonces are at most 25
    characters).
    """
    digest = hashlib.sha256(f"{channel.key}:{arxiv_id}".encode()).hexdigest()
    return "pb" + digest[:22]


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
        embed = paper_embed(item.paper, position=item.position, why=item.why, why_label=item.why_label)
        if thread is not None:
            embed.set_footer(text="Abstract and explanation in the thread above.")
        view = paper_buttons(item.paper.arxiv_id, thread.id if thread is not None else 0)
        nonce = item_nonce(channel, item.paper.arxiv_id)
        posted = await self._send(channel, target, pack(embeds=[embed])[0], view=view, nonce=nonce)
        try:
            for message in pack(digest_item_text(item)):
                await self._send(channel, thread or target, message)
        except ChannelUnreachable:
            if thread is None:
                raise
            # The paper itself is posted, so it counts as delivered; a refusing thread is no reason to pause.
            log.warning("discord: abstract of %s not posted in the digest thread", item.paper.arxiv_id)
        return str(posted.id)

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        """The digest item for this paper among the channel's latest messages, if it was posted.

        Needs Read Message History; raises when Discord refuses, so the claim is kept, not reposted.
        """
        target = await self._channel(channel)
        me = self._client.user
        async for message in target.history(limit=HISTORY_LOOKBACK):
            if me is not None and message.author.id == me.id and is_digest_item(message, arxiv_id):
                return str(message.id)
        return None

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
        nonce: str | None = None,
    ) -> discord.Message:
        await self._pacer.wait_turn()
        try:
            if view is None:
                return await target.send(content=message.content or None, embeds=message.embeds)
            if nonce is None:
                return await target.send(content=message.content or None, embeds=message.embeds, view=view)
            return await target.send(
                content=message.content or None, embeds=message.embeds, view=view, nonce=nonce
            )
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


def is_digest_item(message: discord.Message, arxiv_id: str) -> bool:
    """A digest item of this paper: its embed links the abstract page, its buttons name the paper.

    An /explain card links the same page but has no buttons, so it is not mistaken for the item.
    """
    url = ABS_URL.format(arxiv_id)
    if not any(embed.url == url for embed in message.embeds):
        return False
    wanted = f"paperboy:not-relevant:{arxiv_id}"
    return any(
        getattr(child, "custom_id", None) == wanted
        for row in message.components
        for child in getattr(row, "children", ())
    )
