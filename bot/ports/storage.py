"""Every per-channel store behind one object, for the services that need several kinds at once."""

from __future__ import annotations

from typing import Protocol

from bot.ports.channels import ChannelStore, FeedbackStore, Subscriptions
from bot.ports.deliveries import DeliveryLedger, ThreadLookup
from bot.ports.papers import ListingLog, PaperStore


class Storage(
    ChannelStore, Subscriptions, PaperStore, ListingLog, DeliveryLedger, ThreadLookup, FeedbackStore, Protocol
):
    """Channels, subscriptions, papers, listing fetches, deliveries and feedback."""
