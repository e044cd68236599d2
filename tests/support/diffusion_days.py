"""Two real arXiv days for a team that follows `diffusion`, and the README's five-vote lesson.

`tests/fixtures/diffusion_days.jsonl` holds real papers of 2025-09-17 and 2025-09-18 (from the
shared corpus, `../shared/arxiv/`): a team that follows `diffusion` for generative models (cs.CV,
cs.LG, cs.AI) also gets papers on diffusion in galaxies and stars. `lesson` replays the two days
through the console, the real services, the fake arXiv and the wordllama model loaded from the
installed package: a digest on the first day, five votes on it, the second day's digest before
and after them. The README shows what it prints (`python scripts/five_votes.py`).
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.console.adapter import ConsoleAdapter
from bot.app import build_services
from bot.domain.paper import Paper
from bot.settings import Settings
from tests.fakes.arxiv_papers import make_paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.support.services import fake_arxiv_source

FIXTURE = Path(__file__).parents[1] / "fixtures" / "diffusion_days.jsonl"
WANTED = {"cs.CV", "cs.LG", "cs.AI", "stat.ML"}  # the team's hidden interest: generative models
EASTERN = ZoneInfo("America/New_York")
# The fake clock starts on 2026-02-12 and only moves forward: the two days are replayed as the
# Wednesday and Thursday after it.
REPLAYED_AS = {date(2025, 9, 17): date(2026, 2, 18), date(2025, 9, 18): date(2026, 2, 19)}


@dataclass(frozen=True)
class Shown:
    """A digest item as the console shows it."""

    title: str
    why_label: str
    why: str


def corpus_days() -> dict[date, list[Paper]]:
    """The fixture's papers by the day arXiv announced them."""
    days: dict[date, list[Paper]] = {}
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        day = REPLAYED_AS[date.fromisoformat(row["listing_date"])]
        paper = make_paper(
            row["id"],
            title=row["title"],
            abstract=row["abstract"],
            authors=tuple(row["authors"]),
            categories=tuple(row["categories"]),
            primary_category=row["primary_category"],
            published=datetime.combine(day - timedelta(days=1), time(18), tzinfo=UTC),
        )
        days.setdefault(day, []).append(paper)
    return days


DAYS = corpus_days()
FIRST, SECOND = sorted(DAYS)
PRIMARY = {p.title: p.primary_category for papers in DAYS.values() for p in papers}
IDS = {p.title: p.arxiv_id for papers in DAYS.values() for p in papers}


def shown(output: str) -> list[Shown]:
    """Each item of a digest or preview: its title and its `Matched:` or `Why:` line."""
    found = re.findall(r"^\d+\) (.+)$(?:\n.*)*?\n  • (Matched|Why): (.+)$", output, re.M)
    return [Shown(title, label, why) for title, label, why in found]


def wanted(items: list[Shown]) -> int:
    """How many items are in the team's interest."""
    return sum(PRIMARY[item.title] in WANTED for item in items)


def morning(day: date) -> datetime:
    """09:00 in New York on `day`: the day's listing is out."""
    return datetime.combine(day, time(9), tzinfo=EASTERN).astimezone(UTC)


ARCHIVES = "cs,astro-ph,hep-ph"  # every archive the two days' papers are in


def vote_lines(items: list[Shown]) -> list[str]:
    """The team's votes on a digest: 👍 on papers in its interest, 👎 on the others."""
    return [f"{'like' if PRIMARY[i.title] in WANTED else 'dislike'} {IDS[i.title]}" for i in items]


@dataclass(frozen=True)
class Lesson:
    """What the channel was shown on the first day, its votes, and the second day before and after."""

    first: list[Shown]
    votes: list[str]
    before: list[Shown]
    after: list[Shown]


async def lesson(folder: Path) -> Lesson:
    """Replay the two days in a console channel on a SQLite file in `folder`."""
    with FakeArxiv([]) as fake:
        clock = FakeClock()
        fake.clock = clock
        for day, papers in DAYS.items():
            for paper in papers:
                fake.add_paper(paper, day=day)
        settings = Settings(
            _env_file=None,
            data_dir=folder,
            database_url=f"sqlite+aiosqlite:///{folder / 'paperboy.db'}",
            arxiv_api_url=fake.api_url,
            arxiv_rss_url=fake.rss_url,
            arxiv_categories=ARCHIVES,
            arxiv_failure_cooldown=0,
        )
        source = fake_arxiv_source(fake, clock)
        services = await build_services(settings, clock=clock, source=source)
        out = io.StringIO()
        console = ConsoleAdapter(services.engine, out=out)
        await console.start()  # registers where the channel's digests go
        await console.stop()  # lines are typed here, not read from stdin

        async def say(line: str) -> str:
            start = out.tell()
            await console.run_line(line)
            return out.getvalue()[start:]

        try:
            clock.set_now(morning(FIRST))
            await say("subscribe diffusion")
            await say("settings max 5")
            first = shown(await say("digest"))
            clock.set_now(morning(SECOND))
            before = shown(await say("preview"))
            votes = vote_lines(first)
            for line in votes:
                await say(line)
            after = shown(await say("preview"))
        finally:
            await services.close()
            source.close()
        return Lesson(first, votes, before, after)


def describe(lesson: Lesson) -> str:
    """The lesson as the README shows it."""

    def listing(items: list[Shown]) -> list[str]:
        return [f"{n}. [{PRIMARY[i.title]}] {i.title[:70]}" for n, i in enumerate(items, start=1)]

    wanted_before = sum(PRIMARY[i.title] in WANTED for i in lesson.before)
    wanted_after = sum(PRIMARY[i.title] in WANTED for i in lesson.after)
    return "\n".join(
        [
            f"Second day, `diffusion`, before any vote "
            f"({wanted_before} of {len(lesson.before)} on generative models):",
            *listing(lesson.before),
            "",
            f"The team's {len(lesson.votes)} votes on the first day's digest: "
            + ", ".join(f"`{v}`" for v in lesson.votes),
            "",
            f"Second day, after them ({wanted_after} of {len(lesson.after)}):",
            *listing(lesson.after),
        ]
    )


def run() -> str:
    """The lesson in a throwaway folder, described."""
    import asyncio

    with tempfile.TemporaryDirectory(prefix="paperboy-five-votes-") as folder:
        return describe(asyncio.run(lesson(Path(folder))))
