"""A channel's votes as the ranking reads them, for tests on every platform."""

from __future__ import annotations

from bot.app import Services
from bot.domain.channel import ChannelRef
from bot.domain.votes import ChannelVote
from bot.infra.storage.delivery_batches import DeliveryBatches


async def votes_in(services: Services, channel: ChannelRef) -> list[ChannelVote]:
    """Every vote kept for the channel (one a member and paper), through the ranking's batch read."""
    (stored,) = await DeliveryBatches(services.database).channels([channel])
    return (await services.engine.votes.store.channel_votes([stored.pk])).get(stored.pk, [])
