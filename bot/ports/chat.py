"""What a chat platform gives the core: a publisher to post with, and an adapter to start and stop."""

from __future__ import annotations

from typing import Protocol

from bot.domain.channel import ChannelRef
from bot.domain.digest import Digest, DigestItem
from bot.domain.replies import Reply


class ChannelUnavailable(Exception):
    """The platform will not take posts in this channel (archived, bot removed, missing scope)."""


class Publisher(Protocol):
    """A platform's way of posting into a channel; each call returns the platform's message id."""

    platform: str

    async def post_digest_header(self, channel: ChannelRef, digest: Digest) -> str:
        """Post the digest's parent message (or the empty-digest notice)."""
        ...

    async def post_digest_item(
        self, channel: ChannelRef, digest: Digest, item: DigestItem, parent: str
    ) -> str:
        """Post one paper of the digest."""
        ...

    async def post_reply(self, channel: ChannelRef, reply: Reply) -> str:
        """Post any other reply (a late-digest notice, say)."""
        ...

    async def find_post(self, channel: ChannelRef, arxiv_id: str, run_id: str) -> str | None:
        """The message an interrupted run posted for this paper, if the platform can tell; else None."""
        ...


class AdapterStartError(Exception):
    """An adapter could not connect (refused token, unreachable platform); the message says what to fix."""


class ChatAdapter(Protocol):
    """A platform connection: starts listening, registers its publisher, and stops."""

    platform: str

    async def start(self) -> None:
        """Connect and begin handling commands (returns once connected)."""
        ...

    async def wait_closed(self) -> None:
        """Return when the adapter stops on its own (the console reaching end of input)."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly."""
        ...
