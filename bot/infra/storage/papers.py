"""Papers: what we fetched from arXiv, refreshed when a newer version appears."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.clock import Clock, SystemClock
from bot.domain.paper import Paper
from bot.infra.storage.database import session_factory
from bot.infra.storage.tables import PaperRow, utcnow

PAPER_BATCH = 500
SAVE_TRIES = 3


class SqlPapers:
    """The `papers` table behind the PaperStore port."""

    def __init__(self, engine: AsyncEngine, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._sessions = session_factory(engine)

    async def save_papers(self, papers: Iterable[Paper]) -> int:
        """Insert or refresh papers (a newer version replaces an older one); returns how many.

        Two people looking up the same new paper at once both insert it: the one that loses the
        race saves again, finding the row the other wrote.
        """
        wanted = list(papers)
        for attempt in range(SAVE_TRIES):
            try:
                return await self._save(wanted)
            except IntegrityError:
                if attempt == SAVE_TRIES - 1:
                    raise
        return 0  # not reached

    async def _save(self, papers: list[Paper]) -> int:
        now = self._clock.now()
        count = 0
        async with self._sessions() as session:
            for start in range(0, len(papers), PAPER_BATCH):
                count += await self._save_batch(session, papers[start : start + PAPER_BATCH], now)
            await session.commit()
        return count

    async def _save_batch(self, session: AsyncSession, papers: Sequence[Paper], now: datetime) -> int:
        ids = [p.arxiv_id for p in papers]
        existing = {
            row.arxiv_id: row
            for row in (await session.exec(select(PaperRow).where(col(PaperRow.arxiv_id).in_(ids)))).all()
        }
        for paper in papers:
            row = existing.get(paper.arxiv_id)
            if row is None:
                row = PaperRow(arxiv_id=paper.arxiv_id, title="", abstract="")
                session.add(row)
                existing[paper.arxiv_id] = row
            elif row.version > paper.version or (
                # The listing's own description never replaces the API's metadata of that version.
                row.version == paper.version and row.complete and not paper.complete
            ):
                continue
            _fill_paper_row(row, paper, now, keep_announced=row.announced)
        await session.flush()
        return len(papers)

    async def stamp_announced(self, ids: Sequence[str], day: date | None) -> None:
        """Mark listed papers as announced on `day` where they carry no announcement day yet."""
        if day is None or not ids:
            return
        async with self._sessions() as session:
            for start in range(0, len(ids), PAPER_BATCH):
                chunk = list(ids[start : start + PAPER_BATCH])
                await session.exec(
                    sa.update(PaperRow)
                    .where(col(PaperRow.arxiv_id).in_(chunk), col(PaperRow.announced).is_(None))
                    .values(announced=day)
                )
            await session.commit()

    async def papers(self, ids: Sequence[str]) -> dict[str, Paper]:
        """Stored papers by id (version-free)."""
        found: dict[str, Paper] = {}
        async with self._sessions() as session:
            for start in range(0, len(ids), PAPER_BATCH):
                chunk = list(ids[start : start + PAPER_BATCH])
                rows = (await session.exec(select(PaperRow).where(col(PaperRow.arxiv_id).in_(chunk)))).all()
                found.update((row.arxiv_id, _paper(row)) for row in rows)
        return found

    async def paper_fetched_since(self, arxiv_id: str, since: datetime) -> Paper | None:
        """A stored paper if we fetched it recently enough to trust it."""
        async with self._sessions() as session:
            row = await session.get(PaperRow, arxiv_id)
            if row is None or row.fetched_at is None or row.fetched_at < since:
                return None
            return _paper(row)

    async def papers_announced_after(self, day: date) -> list[Paper]:
        """Papers announced after `day`, newest first: a digest's candidates."""
        async with self._sessions() as session:
            query = (
                select(PaperRow)
                .where(col(PaperRow.announced) > day)
                .order_by(col(PaperRow.announced).desc(), col(PaperRow.arxiv_id).desc())
            )
            return [_paper(row) for row in (await session.exec(query)).all()]

    async def latest_announced_day(self) -> date | None:
        """The newest announcement day we hold papers for."""
        async with self._sessions() as session:
            result = await session.exec(select(sa.func.max(PaperRow.announced)))
            return result.one()

    async def catalog_stamp(self) -> tuple[int, datetime | None]:
        """Changes whenever papers are added or refreshed: a cache key for matching results."""
        async with self._sessions() as session:
            query = select(sa.func.count(), sa.func.max(PaperRow.fetched_at))
            count, newest = (await session.exec(query)).one()
            return int(count), newest


def _fill_paper_row(row: PaperRow, paper: Paper, now: datetime, keep_announced: date | None) -> None:
    row.version = paper.version
    row.title = paper.title
    row.authors = list(paper.authors)
    row.abstract = paper.abstract
    row.categories = list(paper.categories)
    row.primary_category = paper.primary_category
    row.published = paper.published
    row.updated = paper.updated
    row.comment = paper.comment
    row.journal_ref = paper.journal_ref
    row.doi = paper.doi
    row.announced = keep_announced or paper.announced
    row.fetched_at = now
    row.complete = paper.complete


def _paper(row: PaperRow) -> Paper:
    return Paper(
        arxiv_id=row.arxiv_id,
        version=row.version,
        title=row.title,
        authors=tuple(row.authors),
        abstract=row.abstract,
        categories=tuple(row.categories),
        primary_category=row.primary_category,
        published=row.published or utcnow(),
        updated=row.updated or utcnow(),
        comment=row.comment,
        journal_ref=row.journal_ref,
        doi=row.doi,
        announced=row.announced,
        complete=row.complete,
    )
