"""Each person's daily LLM use across every channel, and the holds of their calls in flight.

Every statement decides in the database, so processes sharing it agree: a hold is one upsert that
adds the call's worst case only while what is spent and held still leaves room for it (PostgreSQL
locks the conflicting row and checks the newest version; SQLite writes one at a time). A settle
replaces the hold by what the call really spent. RETURNING tells whether a hold went in: through
SQLAlchemy, psycopg reports a rowcount of -1.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.infra.storage.tables import LlmUserUsageRow
from bot.ports import UserUsageLine

MAX_KEY_LENGTH = 200


class UserUsageStore:
    """Holds, settles and reports per-person use; `user_key` is `platform:user id`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._table: Any = LlmUserUsageRow.__table__  # type: ignore[attr-defined]

    async def hold(self, user_key: str, day: date, tokens: int, limit: int) -> bool:
        """Hold `tokens` for a call unless spent, held and these would pass `limit` (0: no limit)."""
        if limit and tokens > limit:
            return False
        table = self._table
        insert = self._insert(table).values(
            user_key=user_key[:MAX_KEY_LENGTH], day=day, calls=0, prompt_tokens=0,
            completion_tokens=0, cost=0.0, held_tokens=tokens,
        )  # fmt: skip
        room = table.c.prompt_tokens + table.c.completion_tokens + table.c.held_tokens + tokens <= limit
        upsert = insert.on_conflict_do_update(
            index_elements=["user_key", "day"],
            set_={"held_tokens": table.c.held_tokens + insert.excluded.held_tokens},
            where=room if limit else None,
        ).returning(table.c.id)
        async with self._engine.begin() as connection:
            return (await connection.execute(upsert)).scalar_one_or_none() is not None

    async def settle(
        self,
        user_key: str,
        day: date,
        held: int,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float,
    ) -> None:
        """Replace a call's hold by what it spent (the row is made if nothing was held)."""
        table = self._table
        insert = self._insert(table).values(
            user_key=user_key[:MAX_KEY_LENGTH], day=day, calls=1, prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens, cost=cost, held_tokens=0,
        )  # fmt: skip
        sums = {
            name: table.c[name] + insert.excluded[name]
            for name in ("calls", "prompt_tokens", "completion_tokens", "cost")
        }
        upsert = insert.on_conflict_do_update(
            index_elements=["user_key", "day"], set_={**sums, "held_tokens": self._less_held(held)}
        )
        async with self._engine.begin() as connection:
            await connection.execute(upsert)

    async def release(self, user_key: str, day: date, held: int) -> None:
        """Drop a hold whose call was not made or failed: nothing was spent."""
        table = self._table
        update = (
            sa.update(table)
            .where(table.c.user_key == user_key[:MAX_KEY_LENGTH], table.c.day == day)
            .values(held_tokens=self._less_held(held))
        )
        async with self._engine.begin() as connection:
            await connection.execute(update)

    async def usage(self, since: date | None = None, user_key: str | None = None) -> list[UserUsageLine]:
        """Each person's use per day (newest day first, then the most tokens), from `since` on."""
        table = self._table
        query = sa.select(table)
        if since is not None:
            query = query.where(table.c.day >= since)
        if user_key is not None:
            query = query.where(table.c.user_key == user_key[:MAX_KEY_LENGTH])
        query = query.order_by(
            table.c.day.desc(), (table.c.prompt_tokens + table.c.completion_tokens).desc(), table.c.user_key
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            UserUsageLine(
                r.user_key, r.day, r.calls, r.prompt_tokens, r.completion_tokens, r.cost, r.held_tokens
            )
            for r in rows
        ]

    def _less_held(self, held: int) -> Any:
        """`held_tokens - held`, never below zero."""
        column = self._table.c.held_tokens
        return sa.case((column > held, column - held), else_=0)
