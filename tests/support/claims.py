"""Claims as a run killed mid-digest leaves them, written the way the delivery run writes claims."""

from __future__ import annotations

from collections.abc import Sequence

from bot.app import Services
from bot.domain.channel import ChannelRef
from bot.domain.paper import Paper
from bot.infra.storage.delivery_batches import DeliveryBatches
from bot.ports import Claim


async def claim_as(services: Services, ref: ChannelRef, papers: Sequence[Paper], run_id: str) -> list[str]:
    """Claim these papers in the channel for `run_id`; returns the ids the run now holds."""
    batches = DeliveryBatches(services.database)
    (stored,) = await batches.channels([ref])
    claims = [Claim(stored.pk, p.arxiv_id, p.version, run_id) for p in papers]
    held = await batches.claim(claims, services.engine.clock.now())
    return [p.arxiv_id for p in papers if (stored.pk, p.arxiv_id) in held]
