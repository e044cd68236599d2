""" "Mute…" on a Discord digest item: a menu for the clicker, then the real `mute`.

Through discord.py against the fake Discord, on the real services; the menu is a persistent
dynamic item, so one shown before a restart still works after it.
"""

from __future__ import annotations

from typing import Any

from adapters.discord.bridge import NOT_A_MANAGER
from bot.domain.channel import Actor
from bot.domain.commands import SetMaxPapers
from bot.infra.storage.mutes import MuteStore
from tests.adapters.discord.conftest import DiscordBot, text_of
from tests.adapters.discord.test_votes import NHGD_ID, button, papers, pressed
from tests.adapters.test_hostile_paper_text import PING
from tests.fakes.arxiv_papers import make_paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.discord_rules import components_acceptable
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_world import EPHEMERAL, Interaction
from tests.unit.test_mute_choices import HOSTILE_AUTHORS

TOPIC = "hypergradient OR bilevel OR convergence"
MENU = f"paperboy:mute:{NHGD_ID}"
MANAGER = Actor("setup", "setup", can_manage=True)


async def max_papers(bot: DiscordBot, value: int) -> None:
    """Set the digest's cap (test setup, through the engine as `/paper settings max_papers` would)."""
    assert bot.services is not None
    await bot.services.engine.handle(papers(bot), MANAGER, SetMaxPapers(value))


async def item_of_one_paper_digest(bot: DiscordBot, topic: str = TOPIC) -> dict[str, Any]:
    """Subscribe, post a digest of one paper, and return its item message."""
    await bot.run("paper", "subscribe", topic=topic)
    await max_papers(bot, 1)
    await bot.run("paper", "digest")
    return next(m for m in reversed(bot.channel_messages()) if m["components"])


def menu_of(fake: FakeDiscord) -> tuple[dict[str, Any], list[str]]:
    """The last menu the bot sent as a follow-up, and the values it offers."""
    message = next(m for m in reversed(fake.followup_messages) if m["components"])
    (menu,) = message["components"][0]["components"]
    return message, [option["value"] for option in menu["options"]]


async def chosen(fake: FakeDiscord, message: dict[str, Any], value: str, **who: Any) -> Interaction:
    """Choose `value` in the mute menu of `message` and wait for the answer."""
    menu = message["components"][0]["components"][0]["custom_id"]
    choice = await fake.choose(message, menu, value, **who)
    await fake.wait_for(
        lambda: choice.followups or any(c.body.get("type") == 4 for c in choice.callbacks), within=15
    )
    return choice


async def test_a_manager_mutes_from_an_item_even_after_a_restart_and_the_next_papers_leave_it_out(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    await bot.run("paper", "subscribe", topic=TOPIC)
    assert "math.OC" in text_of(await bot.run("paper", "preview"))  # before: math.OC papers come
    item = await item_of_one_paper_digest(bot)
    assert button(item, "Mute…") == f"paperboy:mute-choices:{NHGD_ID}"

    offer = await pressed(fake_discord, item, "Mute…")
    assert offer.visible(to_everyone=True) == [] and offer.callbacks[0].body["data"]["flags"] & EPHEMERAL
    message, offered = menu_of(fake_discord)
    assert message["components"][0]["components"][0]["custom_id"] == MENU
    assert offered[:3] == ["hypergradient", "bilevel", "convergence"]
    assert 'au:"Deyi Kong"' in offered and "cat:math.OC" in offered

    await bot.restart()  # the menu is persistent: it still works
    choice = await chosen(fake_discord, message, "cat:math.OC")
    assert "Muted `cat:math.OC`" in text_of(choice.visible(to_everyone=True))  # the channel's news
    assert bot.services is not None
    assert await MuteStore(bot.services.repository.engine).of_channel(papers(bot)) == ["cat:math.OC"]

    await max_papers(bot, 10)
    before = len(bot.channel_messages())
    await bot.run("paper", "more")  # the next papers the topic brings
    posted = text_of(bot.channel_messages()[before:])
    assert "cs.LG" in posted and "math.OC" not in posted


async def test_a_member_who_may_not_change_the_channel_is_refused_and_nothing_changes(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    item = await item_of_one_paper_digest(bot)
    press = await fake_discord.click(item, button(item, "Mute…"), user=fake_discord.member)
    await fake_discord.wait_for(lambda: press.callbacks, within=15)
    refusal = press.callbacks[0].body
    assert refusal["type"] == 4 and refusal["data"]["flags"] & EPHEMERAL  # at once, to the member alone
    assert NOT_A_MANAGER in refusal["data"]["content"] and not refusal["data"].get("components")

    await pressed(fake_discord, item, "Mute…")  # the moderator's menu, chosen from by the member
    message, _ = menu_of(fake_discord)
    choice = await chosen(fake_discord, message, "cat:math.OC", user=fake_discord.member)
    assert choice.visible(to_everyone=True) == []
    assert NOT_A_MANAGER in text_of(choice.visible(to_everyone=False))
    assert bot.services is not None
    assert await MuteStore(bot.services.repository.engine).of_channel(papers(bot)) == []


async def test_hostile_author_names_reach_the_menu_defanged_and_within_discords_limits(
    bot: DiscordBot, fake_discord: FakeDiscord, fake_arxiv: FakeArxiv
) -> None:
    fake_arxiv.add_paper(
        make_paper(
            "2602.90202",
            title="Hostile quasiconvergence",
            abstract="Nothing here.",
            authors=HOSTILE_AUTHORS,
            categories=("cs.LG",),
        )
    )
    item = await item_of_one_paper_digest(bot, topic="quasiconvergence")
    await pressed(fake_discord, item, "Mute…")
    message, offered = menu_of(fake_discord)
    assert components_acceptable(message)  # the fake took it, as Discord would
    assert offered == ["quasiconvergence", "au:everyone", 'au:"channel Mallory"', "cat:cs.LG"]
    assert not PING.search(repr(message)) and "Very Very" not in repr(message)

    choice = await chosen(fake_discord, message, "au:everyone")
    shown = choice.visible(to_everyone=True)
    assert "Muted `au:everyone`" in text_of(shown) and not PING.search(repr(shown))


def test_the_fake_refuses_menus_beyond_discords_limits() -> None:
    """The limits the fake learned (see `discord_rules`), so a bot that broke them would be caught."""
    option = {"label": "x", "value": "x"}
    menu = {"type": 3, "custom_id": "m", "options": [option]}

    def body(*rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {"components": [{"type": 1, "components": row} for row in rows]}

    assert components_acceptable(body([menu]))
    assert not components_acceptable(body([{**menu, "options": [option] * 26}]))
    assert not components_acceptable(body([{**menu, "options": [{**option, "value": "v" * 101}]}]))
    assert not components_acceptable(body([{**menu, "custom_id": "c" * 101}]))
    assert not components_acceptable(body([menu, {"type": 2, "custom_id": "b", "label": "b"}]))
    assert not components_acceptable(body(*[[{**menu, "custom_id": f"m{n}"}] for n in range(6)]))
