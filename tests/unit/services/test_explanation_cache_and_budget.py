"""Explanations are written once and shown again for free; a spent budget gives a note, not a call."""

from __future__ import annotations

from bot.domain.channel import ChannelRef
from bot.ports import Completion
from bot.services.explanations import LlmExplainer
from bot.services.spending import Spending
from tests.fakes.clock import FakeClock
from tests.support.memory_stores import MemoryExplanations, MemoryPersonUsage
from tests.unit.services.conftest import make_paper

CHANNEL = ChannelRef("console", "local", "general", "general")
# One digest explanation reserves its worst case (prompt frame and reply, no full text): 2,400 tokens.
REPLY = Completion("It shows that gradient descent converges.", prompt_tokens=400, completion_tokens=300)


class CountingModel:
    """A language model that answers every request the same and counts the calls."""

    model = "test/model"
    provider = "test"

    def __init__(self) -> None:
        self.calls = 0

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> Completion:
        """The same reply each time."""
        self.calls += 1
        return REPLY

    async def count_tokens(self, text: str) -> int:
        """About four characters a token."""
        return len(text) // 4

    async def close(self) -> None:
        """Nothing pooled."""


def explainer(
    llm: CountingModel,
    store: MemoryExplanations,
    clock: FakeClock,
    *,
    per_channel: int = 0,
    per_user: int = 0,
) -> LlmExplainer:
    spending = Spending(
        store, MemoryPersonUsage(), clock, per_channel=per_channel, total=0, per_user=per_user
    )
    return LlmExplainer(llm, store, spending, clock)


async def test_an_explanation_is_written_once_and_every_later_request_reads_it(clock: FakeClock) -> None:
    llm, store = CountingModel(), MemoryExplanations()
    paper = make_paper("2602.00001")

    first = await explainer(llm, store, clock).explain(paper, channel=CHANNEL, full_text=False)
    # Another process (a new explainer, empty memory) finds it in the shared store.
    again = await explainer(llm, store, clock).explain(paper, channel=CHANNEL, full_text=False)

    assert first.text == again.text == REPLY.text and not first.is_fallback
    assert llm.calls == 1
    assert await store.tokens_used(clock.now().date(), CHANNEL.key) == 700


async def test_a_spent_channel_budget_gives_a_note_and_still_shows_what_is_written(clock: FakeClock) -> None:
    llm, store = CountingModel(), MemoryExplanations()
    explain = explainer(llm, store, clock, per_channel=3_000)
    written, refused = make_paper("2602.00001"), make_paper("2602.00002")

    await explain.explain(written, channel=CHANNEL, full_text=False)
    note = await explain.explain(refused, channel=CHANNEL, full_text=False)
    cached = await explain.explain(written, channel=CHANNEL, full_text=False)

    assert note.is_fallback
    assert "this channel has used today's LLM budget (3,000 tokens" in note.text
    assert "`explain 2602.00002` tries again later" in note.text
    assert cached.text == REPLY.text
    assert llm.calls == 1


async def test_the_budget_renews_the_next_day(clock: FakeClock) -> None:
    llm, store = CountingModel(), MemoryExplanations()
    explain = explainer(llm, store, clock, per_channel=3_000)
    await explain.explain(make_paper("2602.00001"), channel=CHANNEL, full_text=False)

    clock.advance(24 * 3600)
    fresh = await explain.explain(make_paper("2602.00002"), channel=CHANNEL, full_text=False)

    assert fresh.text == REPLY.text and llm.calls == 2


async def test_a_persons_allowance_refuses_them_alone(clock: FakeClock) -> None:
    llm, store = CountingModel(), MemoryExplanations()
    explain = explainer(llm, store, clock, per_user=3_000)

    await explain.explain(make_paper("2602.00001"), channel=CHANNEL, full_text=False, user="console:ada")
    refused = await explain.explain(
        make_paper("2602.00002"), channel=CHANNEL, full_text=False, user="console:ada"
    )
    other = await explain.explain(
        make_paper("2602.00002"), channel=CHANNEL, full_text=False, user="console:bo"
    )

    assert refused.is_fallback and llm.calls == 2
    assert other.text == REPLY.text
