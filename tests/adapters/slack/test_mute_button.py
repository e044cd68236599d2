""" "Mute…" on a Slack digest item: a menu for the clicker, then the real `mute`.

Through slack-bolt and Socket Mode against the fake Slack, on the real services.
"""

from __future__ import annotations

from typing import Any

from adapters.slack.people import NOT_LISTED
from bot.infra.storage.mutes import MuteStore
from tests.adapters.slack.conftest import CHANNEL, PAPERS, SlackBot
from tests.adapters.slack.test_digest import NHGD_ID, command, texts
from tests.adapters.slack.test_votes import acted, private_notes
from tests.adapters.test_hostile_paper_text import PING
from tests.fakes.arxiv_papers import make_paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.slack_rules import refusal
from tests.fakes.slack_server import FakeSlack
from tests.unit.test_mute_choices import HOSTILE_AUTHORS

TOPIC = "hypergradient OR bilevel OR convergence"


async def first_item(slack: FakeSlack, bot: SlackBot, topic: str = TOPIC, **who: Any) -> dict[str, Any]:
    """Subscribe (as `who`), post a one-paper digest, and return the item's message."""
    await command(slack, bot, f"subscribe {topic}", **who)
    await command(slack, bot, "settings max 1", **who)
    await command(slack, bot, "digest")
    return next(p for p in reversed(slack.posts(CHANNEL)) if p["blocks"][-1]["type"] == "actions")


def menu_values(note: dict[str, Any]) -> list[str]:
    """The values of the mute menu an ephemeral note shows."""
    (menu,) = [e for b in note["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert menu["type"] == "static_select"
    return [option["value"] for option in menu["options"]]


async def shown_by(slack: FakeSlack, bot: SlackBot, line: str) -> str:
    """What `/paper <line>` puts in the channel, up to 50 papers (`preview`, `more`: slow, so posted)."""
    await command(slack, bot, "settings max 50")
    before = len(slack.posts(CHANNEL))
    await command(slack, bot, line)
    return "\n".join(texts(post["blocks"]) for post in slack.posts(CHANNEL)[before:])


async def test_a_manager_mutes_a_category_from_an_item_and_the_next_digest_leaves_it_out(
    slack: FakeSlack, bot: SlackBot
) -> None:
    await command(slack, bot, f"subscribe {TOPIC}")
    assert "math.OC" in await shown_by(slack, bot, "preview")  # before: papers listed in math.OC come
    item = await first_item(slack, bot)
    buttons = item["blocks"][-1]["elements"]
    assert buttons[-1]["text"]["text"] == "Mute…" and buttons[-1]["action_id"] == f"paperboy_mute:{NHGD_ID}"

    await acted(slack, bot, await slack.press(item, "paperboy_mute"))
    (offer,) = private_notes(slack)
    assert offer["user"] == "U0ADA" and "thread_ts" not in offer  # under the channel, for the clicker
    offered = menu_values(offer)
    assert offered[:3] == ["hypergradient", "bilevel", "convergence"]
    assert 'au:"Deyi Kong"' in offered and "cat:math.OC" in offered
    posts_before = len(slack.posts(CHANNEL))

    await acted(slack, bot, await slack.choose(offer, "paperboy_mute_term", "cat:math.OC"))
    assert bot.services is not None
    assert await MuteStore(bot.services.repository.engine).of_channel(PAPERS) == ["cat:math.OC"]
    (confirmation,) = slack.posts(CHANNEL)[posts_before:]  # the whole channel reads it, not in a thread
    assert "Muted `cat:math.OC`" in confirmation["text"] and "thread_ts" not in confirmation
    after = await shown_by(slack, bot, "more")  # the next papers the topic brings
    assert "cs.LG" in after and "math.OC" not in after

    await acted(slack, bot, await slack.press(item, "paperboy_mute"))  # asked again: no longer offered
    assert "cat:math.OC" not in menu_values(private_notes(slack)[-1])


async def test_someone_who_may_not_change_the_channel_is_refused_and_nothing_changes(
    slack: FakeSlack, make_bot: Any
) -> None:
    bot = await make_bot(slack_managers="U0BOSS")
    await slack.wait_connected()
    slack.add_user("U0BOSS", "boss")
    item = await first_item(slack, bot, user_id="U0BOSS", user_name="boss")

    await acted(slack, bot, await slack.press(item, "paperboy_mute"))  # ada may not
    (refused,) = private_notes(slack)
    assert refused["user"] == "U0ADA" and NOT_LISTED.split(";")[0] in refused["text"]
    assert not [b for b in refused["blocks"] if b["type"] == "actions"]  # no menu to choose from

    # A menu shown to the boss, chosen from by ada (a forged or replayed payload): `mute` refuses too.
    await acted(slack, bot, await slack.press(item, "paperboy_mute", user_id="U0BOSS"))
    boss_offer = private_notes(slack)[-1]
    assert boss_offer["user"] == "U0BOSS"
    posts_before = len(slack.posts(CHANNEL))
    await acted(slack, bot, await slack.choose(boss_offer, "paperboy_mute_term", "cat:math.OC"))
    assert private_notes(slack)[-1]["user"] == "U0ADA"
    assert NOT_LISTED.split(";")[0] in private_notes(slack)[-1]["text"]
    assert bot.services is not None
    assert await MuteStore(bot.services.repository.engine).of_channel(PAPERS) == []
    assert len(slack.posts(CHANNEL)) == posts_before


async def test_hostile_author_names_reach_the_menu_defanged_and_within_block_kit_limits(
    slack: FakeSlack, bot: SlackBot, fake_arxiv: FakeArxiv
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
    item = await first_item(slack, bot, topic="quasiconvergence")
    await acted(slack, bot, await slack.press(item, "paperboy_mute"))
    (offer,) = private_notes(slack)
    assert slack.refused("chat.postEphemeral") == [] and refusal("chat.postEphemeral", offer) is None
    assert menu_values(offer) == ["quasiconvergence", "au:everyone", 'au:"channel Mallory"', "cat:cs.LG"]
    everything = repr(offer)
    assert not PING.search(everything) and "Very Very" not in everything

    await acted(slack, bot, await slack.choose(offer, "paperboy_mute_term", "au:everyone"))
    confirmation = slack.posts(CHANNEL)[-1]
    assert "Muted `au:everyone`" in confirmation["text"] and not PING.search(repr(confirmation))


def test_the_fake_refuses_menus_and_buttons_beyond_block_kit_limits() -> None:
    """The limits the fake learned (see `slack_rules`), so a bot that broke them would be caught."""
    option = {"text": {"type": "plain_text", "text": "x"}, "value": "x"}
    menu = {"type": "static_select", "action_id": "m", "options": [option]}
    button = {"type": "button", "action_id": "b", "text": {"type": "plain_text", "text": "Mute…"}}

    def posted(*elements: dict[str, Any]) -> str | None:
        return refusal("chat.postEphemeral", {"blocks": [{"type": "actions", "elements": list(elements)}]})

    assert posted(menu, button) is None
    assert posted(button, {**button}) == "invalid_blocks"  # one action_id twice
    too_long = {**option, "text": {"type": "plain_text", "text": "x" * 76}}
    assert posted({**menu, "options": [too_long]}) == "invalid_blocks"
    assert posted({**menu, "options": [{**option, "value": "v" * 151}]}) == "invalid_blocks"
    assert posted({**menu, "options": [option] * 101}) == "invalid_blocks"
    assert posted({**menu, "options": []}) == "invalid_blocks"
    assert posted(*[{**button, "action_id": f"b{n}"} for n in range(26)]) == "invalid_blocks"
