"""Slash commands as a Discord user types them, answered through the real discord.py."""

from __future__ import annotations

from bot.settings import Settings
from tests.adapters.discord.conftest import DiscordBot, text_of
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.llm_server import FakeLlm

EPHEMERAL = 64
DEFERRED_WITH_THINKING = 5
NHGD = "Natural Hypergradient Descent"


async def test_subscribe_then_unsubscribe_suggests_only_this_channels_topics(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    reply = text_of(await bot.run("paper", "subscribe", topic="convergence"))
    assert "Subscribed to `convergence`" in reply
    await bot.run("paper", "subscribe", topic='"diffusion model" AND cat:cs.LG')
    elsewhere = fake_discord.general_channel
    await fake_discord.slash("paper", "subscribe", channel=elsewhere, topic="bilevel")

    typed = await fake_discord.autocomplete("paper", "unsubscribe", "topic", "")
    await fake_discord.wait_for(lambda: typed.callbacks)
    answer = typed.callbacks[0].body
    assert answer["type"] == 8  # autocomplete result
    assert answer["data"]["choices"] == [
        {"name": "1. convergence", "value": "convergence"},
        {"name": '2. "diffusion model" cat:cs.LG', "value": '"diffusion model" cat:cs.LG'},
    ]

    narrowed = await fake_discord.autocomplete("paper", "unsubscribe", "topic", "DIFF")
    await fake_discord.wait_for(lambda: narrowed.callbacks)
    assert [c["value"] for c in narrowed.callbacks[0].body["data"]["choices"]] == [
        '"diffusion model" cat:cs.LG'
    ]

    reply = text_of(await bot.run("paper", "unsubscribe", topic="convergence"))
    assert "Unsubscribed from `convergence`" in reply
    assert "convergence" not in text_of(await bot.run("paper", "topics"))


async def test_a_member_without_manage_channels_cannot_subscribe_and_is_told_why(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    handle = await fake_discord.slash("paper", "subscribe", user=fake_discord.member, topic="convergence")
    await fake_discord.wait_for(lambda: handle.callbacks)
    answer = handle.callbacks[0].body
    assert answer["type"] == 4  # answered at once, nothing deferred
    assert answer["data"]["flags"] & EPHEMERAL  # only the member sees it
    assert "Manage Channels" in answer["data"]["content"]

    for command, options in (("unsubscribe", {"topic": "1"}), ("schedule", {"time": "07:00"}), ("pause", {})):
        refused = await fake_discord.slash("paper", command, user=fake_discord.member, **options)
        await fake_discord.wait_for(lambda h=refused: h.callbacks)
        assert "Manage Channels" in refused.callbacks[0].body["data"]["content"]

    # Reading is open to everyone; nothing changed.
    listing = await fake_discord.slash("paper", "topics", user=fake_discord.member)
    await fake_discord.wait_for(lambda: listing.followups)
    assert "follows no topics" in text_of([listing.followups[0].body])


async def test_everyone_may_manage_when_the_operator_says_so(
    settings: Settings, fake_discord: FakeDiscord, fake_arxiv: FakeArxiv
) -> None:
    open_settings = settings.model_copy(update={"discord_managers": "everyone"})
    running = await DiscordBot(open_settings, fake_discord, fake_arxiv).start()
    try:
        handle = await fake_discord.slash("paper", "subscribe", user=fake_discord.member, topic="convergence")
        await fake_discord.wait_for(lambda: handle.followups)
        assert "Subscribed to `convergence`" in text_of([handle.followups[0].body])
    finally:
        await running.close()


async def test_explain_is_deferred_within_3_seconds_while_the_llm_takes_10_and_then_follows_up(
    bot: DiscordBot, fake_discord: FakeDiscord, fake_llm: FakeLlm
) -> None:
    fake_llm.delay = 10.0  # the LLM takes 10 seconds...
    fake_llm.hold()  # ...unless the test lets it answer sooner, so the test never waits for it
    fake_llm.reply = "NHGD swaps the inverse Hessian for an empirical Fisher surrogate."
    handle = await fake_discord.slash("explain", paper="2602.10905")

    await fake_discord.wait_for(lambda: handle.callbacks, within=3.0)
    deferral = handle.callbacks[0]
    assert deferral.body["type"] == DEFERRED_WITH_THINKING
    assert deferral.query == {"with_response": "1"}
    assert deferral.at - handle.sent_at < 3.0  # Discord's deadline for the first answer
    asked = await fake_llm.wait_for_request()
    assert NHGD in asked.user
    assert fake_llm.answered == 0 and handle.followups == []  # the LLM is still writing

    fake_llm.release()
    await fake_discord.wait_for(lambda: handle.followups)
    shown = text_of([r.body for r in handle.followups])
    assert NHGD in shown
    assert "NHGD swaps the inverse Hessian for an empirical Fisher surrogate." in shown
    assert fake_llm.calls == 1


async def test_ask_and_schedule_pass_their_named_options_to_the_core(
    bot: DiscordBot, fake_llm: FakeLlm
) -> None:
    fake_llm.reply = "A bilevel optimiser that preconditions the hypergradient."
    answer = text_of(await bot.run("paper", "ask", paper="arXiv:2602.10905", question="what is NHGD?"))
    assert "Q: what is NHGD?" in answer
    assert "A bilevel optimiser that preconditions the hypergradient." in answer
    asked = fake_llm.requests[-1].user
    assert "what is NHGD?" in asked and NHGD in asked

    reply = text_of(
        await bot.run("paper", "schedule", time="07:30", timezone="Europe/Berlin", days="mon,wed,fri")
    )
    assert "07:30 Europe/Berlin, mon,wed,fri" in reply
    settings = text_of(await bot.run("paper", "settings"))
    assert "07:30 Europe/Berlin, mon,wed,fri" in settings
    assert "Digests arrive at 07:30" in text_of(await bot.run("paper", "schedule"))


async def test_bad_input_gets_a_friendly_reply_with_an_example_shown_to_the_asker_only(
    bot: DiscordBot,
) -> None:
    explain = await bot.answered("explain", paper="not a paper")
    reply = text_of(explain.visible(to_everyone=False))
    assert reply.startswith("❌ `not a paper` is not an arXiv id")
    assert "arXiv:2602.10905" in reply  # an example of what works
    # An explanation would have been the channel's, so the "thinking" message was public; the
    # error is the asker's alone: that message is gone and nobody else sees anything.
    assert not (explain.callbacks[0].body.get("data") or {}).get("flags", 0) & EPHEMERAL
    assert len(explain.deletions) == 1 and explain.visible(to_everyone=True) == []

    schedule = await bot.answered("paper", "schedule", time="25:99")
    assert text_of(schedule.visible(to_everyone=False)).startswith("❌ `25:99` is not a time of day")
    assert schedule.visible(to_everyone=True) == []


async def test_the_channel_sees_changes_to_it_and_only_the_asker_sees_lookups(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    for topic in ("convergence", "convergence"):  # the second is answered "already follows"
        subscribed = await bot.answered("paper", "subscribe", topic=topic)
        assert "convergence`" in text_of(subscribed.visible(to_everyone=True))
        assert subscribed.visible(to_everyone=False) == []
    scheduled = await bot.answered("paper", "schedule", time="07:30")
    assert "Digests will arrive at 07:30" in text_of(scheduled.visible(to_everyone=True))

    for lookup, expected in ((("paper", "topics"), "convergence"), (("paper", "settings"), "07:30")):
        answer = await bot.answered(*lookup)
        assert expected in text_of(answer.visible(to_everyone=False))
        assert answer.visible(to_everyone=True) == [], lookup
    shown = await bot.answered("paper", "schedule")
    assert "Digests arrive at 07:30" in text_of(shown.visible(to_everyone=False))
    assert not fake_discord.requests_to("DELETE", r"/webhooks/.*")  # each was deferred for its audience


async def test_help_is_shown_only_to_the_asker_in_discord_terms(
    bot: DiscordBot, fake_discord: FakeDiscord
) -> None:
    handle = await fake_discord.slash("paper", "help")
    await fake_discord.wait_for(lambda: handle.followups)
    assert handle.callbacks[0].body["data"]["flags"] & EPHEMERAL
    assert handle.visible(to_everyone=True) == []
    shown = text_of(handle.visible(to_everyone=False))
    assert "/paper subscribe topic:" in shown
    assert "/explain paper:" in shown
