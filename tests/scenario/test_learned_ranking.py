"""A channel's own ranking, learned from its members' votes, on two real arXiv days.

The days are `tests/support/diffusion_days.py`'s: a team that follows `diffusion` for generative
models also gets papers on diffusion in galaxies and stars. Five votes on the first day's digest
teach the channel; the second day's digest is ranked by its model, through the real services, the
fake arXiv and the wordllama model loaded from the installed package (the network is blocked).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.scenario.conftest import ConsoleChat
from tests.support.diffusion_days import (
    ARCHIVES,
    DAYS,
    FIRST,
    IDS,
    PRIMARY,
    SECOND,
    Shown,
    describe,
    lesson,
    morning,
    shown,
    vote_lines,
    wanted,
)


@pytest.fixture
def settings(tmp_path: Path, fake_arxiv: FakeArxiv, database_url: str) -> Settings:
    """The scenario's settings, reading the listings of every archive the two days' papers are in."""
    return Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=database_url,
        arxiv_api_url=fake_arxiv.api_url,
        arxiv_rss_url=fake_arxiv.rss_url,
        arxiv_categories=ARCHIVES,
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
    chat.clock.set_now(morning(FIRST))
    await chat.say("subscribe diffusion")
    await chat.say("settings max 5")
    return chat


async def vote_on(chat: ConsoleChat, items: list[Shown]) -> None:
    """The team's votes: 👍 on papers in its interest, 👎 on the others."""
    for line in vote_lines(items):
        assert "Noted" in await chat.say(line)


async def test_five_votes_teach_the_channel_and_its_next_digest_says_why(team: ConsoleChat) -> None:
    first = shown(await team.say("digest"))
    assert len(first) == 5
    assert 0 < wanted(first) < 5, "the first day's words bring papers of both kinds"
    assert "ranks by the topics' words until members cast 4" in await team.say("settings")

    team.clock.set_now(morning(SECOND))
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
    team.clock.set_now(morning(SECOND))
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
    team.clock.set_now(morning(SECOND))
    await vote_on(team, first)
    await team.say("settings max 20")
    before = shown(await team.say("preview"))
    assert any(PRIMARY[i.title] == "cs.CV" for i in before)
    await team.say("mute cat:cs.CV")
    after = shown(await team.say("preview"))
    assert after and not any(PRIMARY[i.title] == "cs.CV" for i in after)


async def test_meaning_and_like_topics_bring_the_close_papers_and_say_so(team: ConsoleChat) -> None:
    await team.say("unsubscribe diffusion")
    team.clock.set_now(morning(SECOND))
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


async def test_the_readme_shows_the_five_vote_lesson_as_the_bot_gives_it(tmp_path: Path) -> None:
    shown_in_readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    taught = await lesson(tmp_path)
    assert len(taught.votes) == 5
    assert describe(taught) in shown_in_readme
