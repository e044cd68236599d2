"""Votes in Slack: the 👍/👎 buttons, "Not relevant", reactions, weak 👍 from a look, and `settings`."""

from __future__ import annotations

from typing import Any

from bot.domain.votes import ChannelVote
from tests.adapters.slack.conftest import CHANNEL, PAPERS, SlackBot
from tests.adapters.slack.test_conversation import digest_item, in_thread
from tests.adapters.slack.test_digest import EXPLANATION, NHGD_ID, command, texts
from tests.fakes.llm_server import FakeLlm
from tests.fakes.slack_payloads import message_event
from tests.fakes.slack_server import FakeSlack
from tests.support.votes import votes_in

UP, DOWN = ChannelVote(NHGD_ID, 1, weak=False), ChannelVote(NHGD_ID, -1, weak=False)
WEAK = ChannelVote(NHGD_ID, 1, weak=True)


async def acted(slack: FakeSlack, bot: SlackBot, envelope: str) -> None:
    """Wait until Slack has its ack and everything the request set off is done."""
    await slack.wait_for_ack(envelope)
    await bot.idle()


def private_notes(slack: FakeSlack) -> list[dict[str, Any]]:
    """Every ephemeral message: who it was for and what it said."""
    return [call.data for call in slack.calls("chat.postEphemeral")]


async def test_a_vote_button_is_noted_for_the_member_alone_and_can_be_changed(
    slack: FakeSlack, bot: SlackBot
) -> None:
    item = await digest_item(slack, bot)
    assert bot.services is not None
    posts_before = len(slack.posts(CHANNEL))

    await acted(slack, bot, await slack.press(item, "paperboy_vote_up"))
    assert await votes_in(bot.services, PAPERS) == [UP]
    await acted(slack, bot, await slack.press(item, "paperboy_vote_down"))
    assert await votes_in(bot.services, PAPERS) == [DOWN]  # changed, still one vote

    first, second = private_notes(slack)
    assert first["user"] == second["user"] == "U0ADA"
    assert f"Noted: 👍 on {NHGD_ID}" in first["text"]
    assert f"Changed: your vote on {NHGD_ID} is now 👎" in second["text"]
    assert len(slack.posts(CHANNEL)) == posts_before  # nothing for the whole channel to read


async def test_one_vote_per_member_and_not_relevant_is_a_thumbs_down(slack: FakeSlack, bot: SlackBot) -> None:
    item = await digest_item(slack, bot)
    assert bot.services is not None
    slack.add_user("U0BOB", "bob")
    for _ in range(2):  # pressing twice is still one vote
        await acted(slack, bot, await slack.press(item, "paperboy_vote_up"))
    await acted(slack, bot, await slack.press(item, "paperboy_not_relevant", user_id="U0BOB"))

    assert sorted(v.value for v in await votes_in(bot.services, PAPERS)) == [-1, 1]
    notes = private_notes(slack)
    assert "You had already voted 👍" in notes[1]["text"]
    assert notes[2]["user"] == "U0BOB" and f"Noted: 👎 on {NHGD_ID}" in notes[2]["text"]


async def test_thumbs_reactions_on_a_digest_item_are_votes_and_other_emoji_are_not(
    slack: FakeSlack, bot: SlackBot
) -> None:
    item = await digest_item(slack, bot)
    assert bot.services is not None
    await acted(slack, bot, await slack.react(item, "tada"))
    assert await votes_in(bot.services, PAPERS) == []

    await acted(slack, bot, await slack.react(item, "+1"))
    assert await votes_in(bot.services, PAPERS) == [UP]
    await acted(slack, bot, await slack.react(item, "thumbsdown::skin-tone-3"))
    assert await votes_in(bot.services, PAPERS) == [DOWN]
    (note_up, note_down) = private_notes(slack)
    assert note_up["user"] == "U0ADA" and "Noted: 👍" in note_up["text"]
    assert "now 👎" in note_down["text"]


async def test_a_reaction_on_a_message_that_is_no_digest_item_counts_for_nothing(
    slack: FakeSlack, bot: SlackBot
) -> None:
    item = await digest_item(slack, bot)
    assert bot.services is not None
    header = slack.posts(CHANNEL)[0]
    (thread,) = in_thread(slack, item["ts"])
    for post in (header, thread):
        await acted(slack, bot, await slack.react(post, "+1"))
    assert await votes_in(bot.services, PAPERS) == []
    assert private_notes(slack) == []


async def test_explain_on_an_item_and_a_question_in_its_thread_are_weak_thumbs_up(
    slack: FakeSlack, bot: SlackBot, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = EXPLANATION
    item = await digest_item(slack, bot)
    assert bot.services is not None
    await acted(slack, bot, await slack.press(item, "paperboy_explain"))
    assert await votes_in(bot.services, PAPERS) == [WEAK]

    await acted(slack, bot, await slack.press(item, "paperboy_vote_down"))  # a real vote replaces it
    assert await votes_in(bot.services, PAPERS) == [DOWN]
    await acted(slack, bot, await slack.press(item, "paperboy_explain"))  # a weak one never does
    asked = message_event("what is the Fisher surrogate?", thread_ts=item["ts"])
    await acted(slack, bot, await slack.send_event(asked))
    assert await votes_in(bot.services, PAPERS) == [DOWN]

    slack.add_user("U0BOB", "bob")
    bob_asks = message_event("does it scale?", thread_ts=item["ts"], user_id="U0BOB")
    await acted(slack, bot, await slack.send_event(bob_asks))
    assert sorted(v.weak for v in await votes_in(bot.services, PAPERS)) == [False, True]


async def test_an_explain_card_carries_the_vote_buttons_and_they_work(
    slack: FakeSlack, bot: SlackBot, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = EXPLANATION
    await command(slack, bot, f"explain {NHGD_ID}")
    (card,) = [p for p in slack.posts(CHANNEL) if EXPLANATION in texts(p["blocks"])]
    buttons = [b["text"]["text"] for b in card["blocks"][-1]["elements"]]
    assert buttons == ["👍", "👎", "Not relevant"]
    assert bot.services is not None
    assert await votes_in(bot.services, PAPERS) == []  # /explain alone is no vote

    await acted(slack, bot, await slack.press(card, "paperboy_vote_up"))
    assert await votes_in(bot.services, PAPERS) == [UP]


async def test_settings_show_the_share_of_thumbs_up_and_the_votes(slack: FakeSlack, bot: SlackBot) -> None:
    item = await digest_item(slack, bot)
    slack.add_user("U0BOB", "bob")
    await acted(slack, bot, await slack.press(item, "paperboy_vote_up"))
    await acted(slack, bot, await slack.press(item, "paperboy_explain", user_id="U0BOB"))
    await command(slack, bot, "settings")
    (shown,) = slack.responses()[-1:]
    assert "Ranking: 100% 👍 of 1 voted item in the last 30 days" in texts(shown["blocks"])
    assert "1 vote from members, plus 1 weak 👍" in texts(shown["blocks"])
