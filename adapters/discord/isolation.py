"""One malformed gateway event is logged and dropped; it never ends the Discord connection.

discord.py turns each gateway DISPATCH into state through one parser per event type
(`ConnectionState.parse_interaction_create`, ...). `DiscordWebSocket.received_message` calls the
parser without any guard, so a payload missing a field the parser reads (an INTERACTION_CREATE
whose channel has no `position`: `KeyError` in `TextChannel._update`) propagates out of
`poll_event`; `AutoShardedClient`'s shard worker turns it into a *terminate* event and `connect()`
raises it, which ends the client (Rapptz/discord.py#2429 and #7649 show the same crash from other
parsers). Discord's interaction `channel` is a partial object (discord-api-docs#6051), and Pycord
made `position` optional because Discord did not always send it (Pycord-Development/pycord#1257).

Listeners (`on_*` events, app commands, views) are already isolated by discord.py; the parsers
are not, so each entry of the connection state's `parsers` table is wrapped here. The
gateway reads that very dict object (`ws._discord_parsers = client._connection.parsers`) on every
connect, so wrapping its entries in place covers every shard and every reconnect.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, MutableMapping
from typing import Any

from adapters.failures import describe_failure

log = logging.getLogger(__name__)

Parser = Callable[[Any], None]


def isolate_parsers(parsers: MutableMapping[str, Parser]) -> None:
    """Wrap every gateway event parser so its failure is logged and the event dropped."""
    for event, parser in list(parsers.items()):
        if getattr(parser, "__paperboy_isolated__", False):
            continue
        parsers[event] = _isolated(event, parser)


def _isolated(event: str, parser: Parser) -> Parser:
    @functools.wraps(parser)
    def parse(data: Any) -> None:
        try:
            parser(data)
        except Exception as error:
            log.warning("discord: dropped a malformed %s event: %s", event, describe_failure(error))

    parse.__paperboy_isolated__ = True  # type: ignore[attr-defined]
    return parse
