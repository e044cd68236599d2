"""Every per-channel store behind one object, for the services that need several kinds at once."""

from __future__ import annotations

from typing import Protocol

from bot.ports.channels import ChannelStore, Subscriptions
from bot.ports.deliveries import DeliveryLedger, ThreadLookup
from bot.ports.papers import ListingLog, PaperStore


class Storage(ChannelStore, Subscriptions, PaperStore, ListingLog, DeliveryLedger, ThreadLookup, Protocol):
    """Channels, subscriptions, papers, listing fetches and deliveries."""
