"""Each person's daily LLM allowance across channels and processes, and replies that report no usage."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.channel import Actor, ChannelRef
from bot.domain.commands import Ask, Explain
from bot.domain.replies import Answer, Outcome, PaperCard
from bot.infra.llm.client import load_litellm
from bot.infra.storage.llm_store import LlmStore
from bot.infra.storage.user_usage import UserUsageStore
from tests.fakes.clock import FakeClock
from tests.fakes.llm_server import FakeLlm
from tests.scenario.conftest import ConsoleChat, MakeChat
from tests.support.processes import clean_env, run_paperboy

NHGD = "2602.10905"
OTHER = "2602.11145"
ADA = Actor("U0ADA", "ada")
BOB = Actor("U0BOB", "bob")
ROOMS = [ChannelRef("slack", "T1", f"C{n}", f"room{n}") for n in range(10)]
# With 500 text tokens, an answer's worst case is 500 + 1,500 of prompt around it + 600 of reply.
ANSWER_WORST = 2_600
QUESTION = "what replaces the Hessian?"


def text_of(outcome: Outcome) -> tuple[str, bool]:
    """The explanation or answer a reply carries, and whether it is a fallback note."""
    reply = outcome.reply
    assert isinstance(reply, Answer | PaperCard), reply
    return reply.explanation.text, reply.explanation.is_fallback


async def ask(chat: ConsoleChat, channel: ChannelRef, actor: Actor, paper: str = NHGD) -> tuple[str, bool]:
    """`ask <paper> <question>` typed by `actor` in `channel` (a Slack channel, say)."""
    assert chat.services is not None
    return text_of(await chat.services.engine.handle(channel, actor, Ask(paper, QUESTION)))


async def person_spent(chat: ConsoleChat, user_key: str) -> tuple[int, int]:
    """Tokens the person spent today and tokens their calls in flight hold, from the database."""
    assert chat.services is not None
    lines = await UserUsageStore(chat.services.database).usage(chat.clock.now().date(), user_key)
    return (lines[0].tokens, lines[0].held_tokens) if lines else (0, 0)


async def test_one_person_asking_in_ten_channels_is_stopped_at_their_limit_and_others_are_not(
    make_chat: MakeChat, fake_llm: FakeLlm, clock: FakeClock, tmp_path: Path
) -> None:
    chat = await make_chat(llm_text_tokens=500, llm_daily_tokens_per_user=7_000)
    clock.set_now(datetime(2026, 2, 12, 21, 15, tzinfo=UTC))
    fake_llm.usage = (1_500, 300)

    replies = [await ask(chat, room, ADA) for room in ROOMS]
    # 3 x 1,800 spent; a fourth would need 5,400 + 2,600 > 7,000, in whichever channel.
    assert [fallback for _, fallback in replies] == [False] * 3 + [True] * 7
    assert fake_llm.calls == 3
    refused = replies[3][0]
    assert refused.startswith(
        "(No answer: your LLM allowance for today is used up: 5,400 of 7,000 tokens a person, counted "
        "across all channels, and this request may need up to 2,600. It renews at midnight UTC, in 2 h "
    )
    assert re.search(r"It renews at midnight UTC, in 2 h 4\d min\.", refused)
    assert f"`explain {NHGD}` gives this paper's, or its abstract." in refused
    assert await person_spent(chat, "slack:U0ADA") == (5_400, 0)

    # Another person, in the very channels where Ada was refused, is answered.
    assert [fallback for _, fallback in [await ask(chat, room, BOB) for room in ROOMS[-3:]]] == [False] * 3
    assert fake_llm.calls == 6

    # The operator sees each person's day, ids only when asking for them.
    env = clean_env(
        DATABASE_URL=chat.settings.database_url,
        DATA_DIR=str(tmp_path),
        COLUMNS="200",
        LLM_DAILY_TOKENS_PER_USER="7000",
    )
    shown = await asyncio.to_thread(run_paperboy, env, "usage", "--since", "2026-02-12", "--people")
    assert shown.returncode == 0, shown.stderr
    assert "limit 7,000 a day" in shown.stdout
    assert re.search(r"2026-02-12 +│ slack:U0ADA +│ +3 │ +4,500 │ +900 │", shown.stdout)
    assert re.search(r"2026-02-12 +│ slack:U0BOB +│ +3 │", shown.stdout)
    assert "2 people" in shown.stdout

    # At midnight UTC the allowance renews.
    clock.set_now(datetime(2026, 2, 13, 0, 1, tzinfo=UTC))
    assert not (await ask(chat, ROOMS[0], ADA))[1]


async def test_a_refused_person_still_gets_explanations_already_written(
    make_chat: MakeChat, fake_llm: FakeLlm
) -> None:
    chat = await make_chat(llm_text_tokens=500, llm_daily_tokens_per_user=7_000)
    assert chat.services is not None
    fake_llm.usage = (1_500, 300)
    # Bob's `explain` writes the explanation of NHGD; the console's person then asks three questions.
    _, fallback = text_of(await chat.services.engine.handle(ROOMS[0], BOB, Explain(NHGD)))
    assert not fallback
    for _ in range(3):
        assert "**Key idea.**" in await chat.say(f"ask {OTHER} {QUESTION}")
    calls = fake_llm.calls

    over = await chat.say(f"explain {OTHER}")
    assert "(No new explanation: your LLM allowance for today is used up: 5,400 of 7,000 tokens" in over
    assert "Explanations already written still show, for you too. Showing the abstract only.)" in over
    assert "\nAbstract\n\n" in over  # the abstract, as whenever no LLM answer can be had
    cached = await chat.say(f"explain {NHGD}")
    assert "**Key idea.**" in cached and "Written by openai/fake-model" in cached
    assert fake_llm.calls == calls  # the cached explanation cost nothing and was not refused


async def asks_at_once(chats: Sequence[ConsoleChat], fake_llm: FakeLlm, admitted: int) -> list[bool]:
    """Ada asks in ten channels at once, through these processes in turn; replies are held until all
    but the admitted requests are refused, so no call can settle early and make room."""
    for chat in chats:  # the paper is looked up first: ten first look-ups racing to save it are
        assert chat.services is not None  # another matter (Repository.save_papers)
        assert await chat.services.catalog.paper(NHGD) is not None
    fake_llm.hold()
    tasks = [asyncio.create_task(ask(chats[n % len(chats)], room, ADA)) for n, room in enumerate(ROOMS)]
    pending = set(tasks)
    async with asyncio.timeout(20):  # more admitted than expected would keep waiting: a failure
        while len(pending) > admitted:
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    assert fake_llm.calls <= admitted  # no more than the holds allow reached the LLM
    fake_llm.release()
    return [fallback for _, fallback in await asyncio.gather(*tasks)]


async def test_concurrent_asks_in_two_processes_cannot_pass_the_persons_limit(
    make_chat: MakeChat, fake_llm: FakeLlm
) -> None:
    # Two processes on one database (each with its own services), ten asks at once: room for three
    # worst cases (3 x 2,600 <= 8,000 < 4 x 2,600).
    first = await make_chat(llm_text_tokens=500, llm_daily_tokens_per_user=8_000)
    second = await make_chat(llm_text_tokens=500, llm_daily_tokens_per_user=8_000)
    fake_llm.usage = (1_500, 300)
    fallbacks = await asks_at_once([first, second], fake_llm, admitted=3)
    assert fallbacks.count(False) == 3 and fake_llm.calls == 3
    assert await person_spent(first, "slack:U0ADA") == (5_400, 0)  # every hold settled


async def test_at_worst_a_person_overshoots_by_what_their_calls_spent_beyond_their_holds(
    make_chat: MakeChat, fake_llm: FakeLlm
) -> None:
    # A server whose tokenizer counts far more than litellm's (4,500 a call against 2,600 held): the
    # three calls admitted at once overshoot, by no more than 3 x (4,500 - 2,600); then no more.
    chat = await make_chat(llm_text_tokens=500, llm_daily_tokens_per_user=8_000)
    fake_llm.usage = (4_000, 500)
    assert (await asks_at_once([chat], fake_llm, admitted=3)).count(False) == 3
    spent, held = await person_spent(chat, "slack:U0ADA")
    assert held == 0 and spent == 13_500 <= 8_000 + 3 * (4_500 - ANSWER_WORST)
    assert (await ask(chat, ROOMS[0], ADA))[1]
    assert fake_llm.calls == 3


async def test_a_question_pages_long_holds_what_it_may_spend_not_a_usual_prompt(
    make_chat: MakeChat, fake_llm: FakeLlm
) -> None:
    chat = await make_chat(llm_text_tokens=500, llm_daily_tokens_per_user=8_000)
    assert chat.services is not None
    essay = "Why does the Fisher matrix approximate the Hessian near a minimum, and when not? " * 400
    reply = await chat.services.engine.handle(ROOMS[0], ADA, Ask(NHGD, essay))
    text, fallback = text_of(reply)
    # About 7,000 tokens of question: counted before the call, so it is refused, not made and overspent.
    assert fallback and fake_llm.calls == 0
    found = re.fullmatch(
        r"\(No answer: this request may need up to ([\d,]+) tokens, more than one person's whole daily "
        r"LLM allowance of 8,000\. Explanations already written still show, .*\)",
        text,
    )
    assert found and int(found[1].replace(",", "")) > 8_000
    assert (await ask(chat, ROOMS[0], ADA))[1] is False  # a usual question still fits


async def test_a_reply_without_usage_is_charged_its_counted_tokens(
    make_chat: MakeChat, fake_llm: FakeLlm, tmp_path: Path
) -> None:
    chat = await make_chat(llm_text_tokens=500, llm_daily_tokens_per_user=50_000)
    assert chat.services is not None
    fake_llm.usage_missing = "omitted"
    explained = await chat.say(f"explain {NHGD}")
    assert "**Key idea.**" in explained

    litellm = load_litellm()
    sent = fake_llm.requests[0].body["messages"]
    prompt = litellm.token_counter(model="openai/fake-model", messages=sent)
    reply = re.search(r"\*\*Problem\.\*\*.*?Assumes strong convexity\.", explained, re.S)
    assert reply is not None and prompt > 200
    (line,) = await LlmStore(chat.services.database).usage()
    assert (line.channel_key, line.calls, line.prompt_tokens) == ("console:local:console", 1, prompt)
    assert line.completion_tokens == litellm.token_counter(model="openai/fake-model", text=reply[0]) > 50
    assert await person_spent(chat, "console:console") == (line.tokens, 0)

    env = clean_env(
        DATABASE_URL=chat.settings.database_url,
        DATA_DIR=str(tmp_path),
        COLUMNS="200",
        LLM_DAILY_TOKENS_PER_USER="50000",
    )
    shown = await asyncio.to_thread(run_paperboy, env, "usage", "--since", "2026-02-01")
    assert shown.returncode == 0, shown.stderr
    assert re.search(rf"console:local:console +│ +1 │ +{prompt:,} │", shown.stdout)
    assert (
        f"1 person asked on demand (explain, ask); the most by one person in a day: {line.tokens:,} "
        "tokens on 2026-02-12 (limit 50,000 a day). `paperboy usage --people` lists them."
    ) in " ".join(shown.stdout.split())
