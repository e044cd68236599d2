"""Group commit for the LLM ledger: writes that arrive together share one transaction.

A digest cycle writes an explanation and a usage tally for each of thousands of papers, a few at
a time as LLM calls finish. Each caller still waits until its row is committed; calls that land
while a transaction is open go into the next one, so there are far fewer commits than rows.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.infra.storage.tables import ExplanationRow, LlmUsageRow

Row = dict[str, Any]
USAGE_SUMS = ("calls", "prompt_tokens", "completion_tokens", "cost")


class GroupWriter:
    """Queues explanation and usage rows and commits each queue in one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._queue: list[tuple[str, Row, asyncio.Future[None]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def explanation(self, row: Row) -> None:
        """Store an explanation unless one for the same key exists (another process won)."""
        await self._write("explanation", row)

    async def usage(self, row: Row) -> None:
        """Add one call's tokens and cost to its channel's day."""
        await self._write("usage", row)

    async def _write(self, kind: str, row: Row) -> None:
        done = asyncio.get_running_loop().create_future()
        self._queue.append((kind, row, done))
        if self._draining is None:
            self._draining = asyncio.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    await self._commit(batch)
                except Exception as error:
                    for _, _, done in batch:
                        if not done.done():
                            done.set_exception(error)
                    continue
                for _, _, done in batch:
                    if not done.done():
                        done.set_result(None)
        finally:
            self._draining = None

    async def _commit(self, batch: list[tuple[str, Row, asyncio.Future[None]]]) -> None:
        explanations = [row for kind, row, _ in batch if kind == "explanation"]
        tallies: dict[tuple[str, object], Row] = {}
        sums: dict[tuple[str, object], dict[str, float]] = defaultdict(lambda: dict.fromkeys(USAGE_SUMS, 0))
        for kind, row, _ in batch:
            if kind == "usage":
                key = (row["channel_key"], row["day"])
                tallies[key] = row
                for name in USAGE_SUMS:
                    sums[key][name] += row[name]
        usage = [{**tallies[key], **sums[key]} for key in tallies]
        insert = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        async with self._engine.begin() as connection:
            if explanations:
                statement = insert(ExplanationRow.__table__).on_conflict_do_nothing(  # type: ignore[attr-defined]
                    index_elements=["arxiv_id", "version", "model", "prompt_version"]
                )
                await connection.execute(statement, explanations)
            if usage:
                table = LlmUsageRow.__table__  # type: ignore[attr-defined]
                upsert = insert(table)
                upsert = upsert.on_conflict_do_update(
                    index_elements=["channel_key", "day"],
                    set_={name: table.c[name] + upsert.excluded[name] for name in USAGE_SUMS},
                )
                await connection.execute(upsert, usage)
