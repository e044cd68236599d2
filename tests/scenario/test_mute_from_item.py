"""Muting from a digest item: the console's `mute:` hint and the engine's offer behind every "Mute…"."""

from __future__ import annotations

import re

from adapters.console.adapter import CONSOLE_CHANNEL
from bot.domain.audience import Audience
from bot.domain.commands import MuteChoices
from bot.domain.mutes import MAX_MUTES_PER_CHANNEL
from bot.domain.replies import MuteOffer, Notice, Tone
from tests.scenario.conftest import ConsoleChat
from tests.scenario.test_like_topics_and_mutes import NHGD
from tests.scenario.test_reply_audience import READER, handle

NHGD_ID = "2602.10905"


def hints(output: str) -> dict[str, list[str]]:
    """Each digest item's title and the mutes its `mute:` line offers."""
    found = re.findall(r"^\d+\) (.+)$(?:\n(?!\d+\) ).*)*?\n  • mute: (.+)$", output, re.M)
    return {title: line.split(" · ") for title, line in found}


async def test_each_item_shows_what_to_mute_and_muting_one_leaves_it_out_of_the_next_digest(
    chat: ConsoleChat,
) -> None:
    await chat.say("subscribe hypergradient OR bilevel OR convergence")
    await chat.say("settings max 50")
    shown = hints(await chat.say("preview"))
    assert NHGD in shown
    assert shown[NHGD][:3] == ["hypergradient", "bilevel", "convergence"]  # the topic's words this paper has
    assert 'au:"Deyi Kong"' in shown[NHGD] and "cat:math.OC" in shown[NHGD]
    assert len(shown) > 1 and all(offers for offers in shown.values())

    assert 'Muted `au:"Deyi Kong"`' in await chat.say('mute au:"Deyi Kong"')  # typed as the hint shows it
    after = hints(await chat.say("preview"))
    assert NHGD not in after and after  # the other papers of the topic still come
    assert all('au:"Deyi Kong"' not in offers for offers in after.values())
    help_text = await chat.say("help")
    assert "each digest item offers its own" in help_text


async def test_the_offer_is_for_managers_alone_and_leaves_out_what_is_muted(chat: ConsoleChat) -> None:
    await chat.say("subscribe hypergradient")
    offer = await handle(chat, MuteChoices(NHGD_ID))
    assert offer.audience is Audience.PERSON
    assert isinstance(offer.reply, MuteOffer) and offer.reply.paper.arxiv_id == NHGD_ID
    offered = [choice.text for choice in offer.reply.choices]
    assert offered[0] == "hypergradient" and "cat:math.OC" in offered

    refused = await handle(chat, MuteChoices(NHGD_ID), actor=READER)
    assert refused.reply == Notice("Ask a moderator.", Tone.ERROR) and refused.audience is Audience.PERSON

    await chat.say("mute cat:math.oc")
    again = await handle(chat, MuteChoices(NHGD_ID))
    assert isinstance(again.reply, MuteOffer)
    assert "cat:math.OC" not in [choice.text for choice in again.reply.choices]


async def test_a_full_channel_and_an_unknown_paper_get_a_plain_answer(chat: ConsoleChat) -> None:
    unknown = await handle(chat, MuteChoices("2602.99999"))
    assert isinstance(unknown.reply, Notice) and "arXiv has no paper 2602.99999" in unknown.reply.text
    assert chat.services is not None
    for n in range(MAX_MUTES_PER_CHANNEL):
        await chat.services.engine.mutes.mute(CONSOLE_CHANNEL, READER, f"word{n}x")
    full = await handle(chat, MuteChoices(NHGD_ID))
    assert isinstance(full.reply, Notice) and full.reply.tone is Tone.ERROR
    assert f"muted {MAX_MUTES_PER_CHANNEL} terms, the most it can" in full.reply.text
