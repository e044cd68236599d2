"""Time the ranking's batch read of votes and `paperboy relevance`'s figures: 10,000 channels x 20 votes.

Run from the repository: `.venv/bin/python scripts/measure_vote_reads.py` (SQLite in a temp folder).
"""

import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.domain.clock import SystemClock
from bot.infra.storage.database import create_engine
from bot.infra.storage.migrate import upgrade_database
from bot.infra.storage.votes import Votes

CHANNELS, PER_CHANNEL = 10_000, 20


async def main() -> None:
    folder = tempfile.mkdtemp()
    engine = create_engine(f"sqlite+aiosqlite:///{folder}/m.db")
    await upgrade_database(engine)
    now = datetime.now(UTC)
    rng = random.Random(1)
    async with engine.begin() as c:
        await c.execute(
            sa.text(
                "INSERT INTO channels (id, platform, workspace, channel_id, name, timezone, digest_time,"
                " weekdays, max_papers, paused) VALUES (:id, 'slack', 'T', :cid, '', 'UTC', '09:00',"
                " 'mon', 10, false)"
            ),
            [{"id": n + 1, "cid": f"C{n}"} for n in range(CHANNELS)],
        )
        await c.execute(
            sa.text(
                "INSERT INTO votes (channel_pk, arxiv_id, user_id, value, weak, voted_at)"
                " VALUES (:pk, :a, :u, :v, :w, :t)"
            ),
            [
                {
                    "pk": n + 1,
                    "a": f"2602.{k:05d}",
                    "u": f"U{k % 5}",
                    "v": rng.choice((1, -1)),
                    "w": k % 7 == 0,
                    "t": now - timedelta(days=k),
                }
                for n in range(CHANNELS)
                for k in range(PER_CHANNEL)
            ],
        )
    votes = Votes(engine, SystemClock())
    pks = list(range(1, CHANNELS + 1))
    start = time.perf_counter()
    found = await votes.channel_votes(pks)
    read = time.perf_counter() - start
    start = time.perf_counter()
    figures = await votes.all_figures(now - timedelta(days=30))
    relevance = time.perf_counter() - start
    print(
        f"channel_votes: {sum(map(len, found.values())):,} votes of {len(found):,} channels in {read:.2f} s"
    )
    print(f"all_figures (paperboy relevance): {len(figures):,} channels in {relevance:.2f} s")
    await engine.dispose()


asyncio.run(main())
