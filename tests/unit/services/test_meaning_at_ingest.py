"""Each listing's papers are embedded as the listing comes in, once, beside the other follow-ups."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.services.ingest import FollowUps, IngestReport, MeaningAtIngest


class RecordingRelevance:
    """Stands in for the `Relevance` port's `embed_ahead`: records what it was asked to embed."""

    def __init__(self) -> None:
        self.embedded: list[tuple[str, ...]] = []
        self.release = asyncio.Event()

    async def embed_ahead(self, ids: Sequence[str]) -> None:
        self.embedded.append(tuple(ids))
        await self.release.wait()


class RecordingFollowUp:
    def __init__(self) -> None:
        self.told: list[IngestReport] = []

    async def after_ingest(self, report: IngestReport) -> None:
        self.told.append(report)


def report(*ids: str, skipped: bool = False) -> IngestReport:
    return IngestReport(day=None, skipped=skipped, new_papers=len(ids), fetched=True, ids=ids)


async def test_a_new_listing_is_embedded_in_the_background_and_the_other_follow_ups_are_told() -> None:
    relevance = RecordingRelevance()
    meaning = MeaningAtIngest(relevance)  # type: ignore[arg-type]
    other = RecordingFollowUp()
    follow_ups = FollowUps([meaning, other])

    await follow_ups.after_ingest(report("2602.00001", "2602.00002"))
    await asyncio.sleep(0)
    assert relevance.embedded == [("2602.00001", "2602.00002")]
    assert len(other.told) == 1, "the write-ahead is told at once, not after the embedding"

    await follow_ups.after_ingest(report("2602.00003"))  # one run at a time: this one waits its turn
    await follow_ups.after_ingest(report(skipped=True))
    await asyncio.sleep(0)
    assert relevance.embedded == [("2602.00001", "2602.00002")]
    assert len(other.told) == 3

    relevance.release.set()
    for _ in range(3):
        await asyncio.sleep(0)
    assert relevance.embedded == [("2602.00001", "2602.00002"), ("2602.00003",)]
    await meaning.stop()
