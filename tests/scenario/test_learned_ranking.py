"""A channel's own ranking, learned from its members' votes, on two real arXiv days.

`tests/fixtures/diffusion_days.jsonl` holds real papers of 2025-09-17 and 2025-09-18 (from the
shared corpus): a team that follows `diffusion` for generative models (cs.CV, cs.LG, cs.AI) also
gets papers on diffusion in galaxies and stars. Five votes on the first day's digest teach the
channel; the second day's digest is ranked by its model, through the real services, the fake
arXiv and the wordllama model loaded from the installed package.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.paper import Paper
from bot.settings import Settings
from tests.fakes.arxiv_papers import make_paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.scenario.conftest import ConsoleChat

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


@pytest.fixture
def settings(tmp_path: Path, fake_arxiv: FakeArxiv, database_url: str) -> Settings:
    """The scenario's settings, reading the listings of every archive the two days' papers are in."""
    return Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=database_url,
        arxiv_api_url=fake_arxiv.api_url,
        arxiv_rss_url=fake_arxiv.rss_url,
        arxiv_categories="cs,astro-ph,hep-ph",
        arxiv_failure_cooldown=0,
    )


@pytest.fixture
async def team(chat: ConsoleChat) -> ConsoleChat:
    """A channel following `diffusion`, five papers a digest, on the first day's morning."""
    chat.fake.set_papers([])
    chat.fake.clock = chat.clock
    for day, papers in DAYS.items():
        for paper in papers:
            chat.fake.add_paper(paper, day=day)
    chat.clock.set_now(datetime.combine(FIRST, time(9), tzinfo=EASTERN).astimezone(UTC))
    await chat.say("subscribe diffusion")
    await chat.say("settings max 5")
    return chat


async def vote_on(chat: ConsoleChat, items: list[Shown]) -> None:
    """The team's votes: 👍 on papers in its interest, 👎 on the others."""
    for item in items:
        verb = "like" if PRIMARY[item.title] in WANTED else "dislike"
        assert "Noted" in await chat.say(f"{verb} {IDS[item.title]}")


async def test_five_votes_teach_the_channel_and_its_next_digest_says_why(team: ConsoleChat) -> None:
    first = shown(await team.say("digest"))
    assert len(first) == 5
    assert 0 < wanted(first) < 5, "the first day's words bring papers of both kinds"
    assert "ranks by the topics' words until members cast 4" in await team.say("settings")

    team.clock.set_now(datetime.combine(SECOND, time(9), tzinfo=EASTERN).astimezone(UTC))
    by_words = shown(await team.say("preview"))
    await vote_on(team, first)
    by_votes = shown(await team.say("preview"))

    assert len(by_votes) == 5
    assert wanted(by_votes) > wanted(by_words), (by_words, by_votes)
    assert wanted(by_votes) == 5
    assert all(item.why for item in by_votes)
    assert "learned from 5 votes" in await team.say("settings")
    # What the preview showed is what the digest posts.
    assert [i.title for i in shown(await team.say("digest"))] == [i.title for i in by_votes]


async def test_quality_high_gives_fewer_better_papers_and_bad_settings_get_an_example(
    team: ConsoleChat,
) -> None:
    first = shown(await team.say("digest"))
    team.clock.set_now(datetime.combine(SECOND, time(9), tzinfo=EASTERN).astimezone(UTC))
    await vote_on(team, first)
    await team.say("settings max 20")
    normal = shown(await team.say("preview"))

    reply = await team.say("settings quality high")
    assert "quality high" in reply
    high = shown(await team.say("preview"))
    assert 0 < len(high) < len(normal)
    assert wanted(high) == len(high)
    assert "quality high" in await team.say("settings")

    assert "Try `settings quality high`" in await team.say("settings quality superb")
    assert "between 0.05 and 0.99" in await team.say("settings quality 150")
    assert "quality high" in await team.say("settings")  # a bad value changed nothing

    assert "quality 0.9" in await team.say("settings quality 90%")
    strict = shown(await team.say("preview"))
    assert len(strict) <= len(high)
    assert "quality normal" in await team.say("settings quality normal")
    assert len(shown(await team.say("preview"))) == len(normal)


async def test_a_mute_holds_for_the_papers_the_model_adds_too(team: ConsoleChat) -> None:
    first = shown(await team.say("digest"))
    team.clock.set_now(datetime.combine(SECOND, time(9), tzinfo=EASTERN).astimezone(UTC))
    await vote_on(team, first)
    await team.say("settings max 20")
    before = shown(await team.say("preview"))
    assert any(PRIMARY[i.title] == "cs.CV" for i in before)
    await team.say("mute cat:cs.CV")
    after = shown(await team.say("preview"))
    assert after and not any(PRIMARY[i.title] == "cs.CV" for i in after)


async def test_meaning_and_like_topics_bring_the_close_papers_and_say_so(team: ConsoleChat) -> None:
    await team.say("unsubscribe diffusion")
    team.clock.set_now(datetime.combine(SECOND, time(9), tzinfo=EASTERN).astimezone(UTC))
    await team.say("settings max 20")
    meaning = '~"diffusion models for image generation and editing"'
    await team.say(f"subscribe {meaning}")
    by_meaning = shown(await team.say("preview"))
    assert by_meaning and wanted(by_meaning) == len(by_meaning)
    assert all(item.why == meaning for item in by_meaning)

    await team.say(f"unsubscribe {meaning}")
    few_to_big = "2509.12878"  # a first-day paper on diffusion features for point clouds
    await team.say(f"subscribe like:{few_to_big}")
    alike = shown(await team.say("preview"))
    assert alike and all(item.why == f"like:{few_to_big}" for item in alike)
    assert few_to_big not in {IDS[item.title] for item in alike}, "never the example paper itself"
    assert all(PRIMARY[item.title] == "cs.CV" for item in alike)
