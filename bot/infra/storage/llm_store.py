"""Stored LLM work: explanations shared by every channel, and each channel's daily token use."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.infra.storage.database import session_factory
from bot.infra.storage.group_writes import GroupWriter
from bot.infra.storage.tables import ExplanationRow, LlmUsageRow, utcnow
from bot.ports import ExplanationKey, StoredExplanation, UsageLine


class LlmStore:
    """The explanation cache and the usage ledger, on the same database as everything else."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = session_factory(engine)
        # A digest cycle writes thousands of these rows: they share transactions (group commit).
        self._writer = GroupWriter(engine)

    async def explanation(self, key: ExplanationKey) -> StoredExplanation | None:
        """The cached explanation for this key, if any."""
        async with self._sessions() as session:
            query = select(ExplanationRow).where(
                ExplanationRow.arxiv_id == key.arxiv_id,
                ExplanationRow.version == key.version,
                ExplanationRow.model == key.model,
                ExplanationRow.prompt_version == key.prompt_version,
            )
            row = (await session.exec(query)).first()
            return StoredExplanation(row.text, row.source, row.model) if row else None

    async def explanations(self, keys: list[ExplanationKey]) -> dict[ExplanationKey, StoredExplanation]:
        """The cached explanations among these keys, in a few queries (a digest cycle's papers)."""
        found: dict[ExplanationKey, StoredExplanation] = {}
        by_kind: dict[tuple[str, str], list[ExplanationKey]] = {}
        for key in keys:
            by_kind.setdefault((key.model, key.prompt_version), []).append(key)
        async with self._sessions() as session:
            for (model, prompt_version), group in by_kind.items():
                for start in range(0, len(group), 500):
                    ids = [k.arxiv_id for k in group[start : start + 500]]
                    query = select(ExplanationRow).where(
                        col(ExplanationRow.arxiv_id).in_(ids),
                        ExplanationRow.model == model,
                        ExplanationRow.prompt_version == prompt_version,
                    )
                    for row in (await session.exec(query)).all():
                        key = ExplanationKey(row.arxiv_id, row.version, model, prompt_version)
                        found[key] = StoredExplanation(row.text, row.source, row.model)
        wanted = set(keys)
        return {key: value for key, value in found.items() if key in wanted}

    async def save_explanation(
        self,
        key: ExplanationKey,
        text: str,
        source: str,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float,
    ) -> None:
        """Cache an explanation; a copy saved meanwhile by another process wins quietly."""
        await self._writer.explanation(
            {
                "arxiv_id": key.arxiv_id,
                "version": key.version,
                "model": key.model,
                "prompt_version": key.prompt_version,
                "text": text,
                "source": source[:200],
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "cost": cost,
                "created_at": utcnow(),
            }
        )

    async def record_usage(
        self, channel_key: str, day: date, *, prompt_tokens: int, completion_tokens: int, cost: float
    ) -> None:
        """Add one call to the channel's tally for the day."""
        await self._writer.usage(
            {
                "channel_key": channel_key,
                "day": day,
                "calls": 1,
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "cost": cost,
            }
        )

    async def tokens_used(self, day: date, channel_key: str | None = None) -> int:
        """Tokens spent on `day` by one channel, or by all of them."""
        query = select(
            sa.func.coalesce(sa.func.sum(LlmUsageRow.prompt_tokens + LlmUsageRow.completion_tokens), 0)
        ).where(LlmUsageRow.day == day)
        if channel_key is not None:
            query = query.where(LlmUsageRow.channel_key == channel_key)
        async with self._sessions() as session:
            return int((await session.exec(query)).one())

    async def usage(self, since: date | None = None) -> list[UsageLine]:
        """Every channel's use per day (newest day first), from `since` on."""
        query = select(LlmUsageRow)
        if since is not None:
            query = query.where(LlmUsageRow.day >= since)
        query = query.order_by(col(LlmUsageRow.day).desc(), col(LlmUsageRow.channel_key))
        async with self._sessions() as session:
            return [
                UsageLine(r.channel_key, r.day, r.calls, r.prompt_tokens, r.completion_tokens, r.cost)
                for r in (await session.exec(query)).all()
            ]
