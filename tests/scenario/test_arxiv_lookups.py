"""One person cannot starve the arXiv queue: look-ups are limited per person and per channel, and an
id arXiv had no paper for is not asked about again for a while.

The real services, the real arXiv client and its real request gate (3 s on the fake clock) against
the fake arXiv. `HeldGate` keeps arXiv busy with one request while the commands arrive, so the
order they reach arXiv in is the gate's own, whatever the machine's speed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import pytest

from bot.app import Services, build_services
from bot.domain.channel import Actor, ChannelRef
from bot.domain.commands import Ask, Command, Explain
from bot.domain.replies import Answer, Notice, PaperCard, Reply, Tone
from bot.infra.arxiv import ArxivSource
from bot.services.engine import Engine
from bot.settings import Settings
from tests.fakes.arxiv_papers import LATEX_ID, UNICODE_ID, make_paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.clock import FakeClock
from tests.scenario.conftest import ConsoleChat
from tests.support.held_gate import HeldGate, until
from tests.support.services import fake_arxiv_source

UNKNOWN = [f"2611.{99900 + n}" for n in range(20)]  # well formed; arXiv has none of them
FLOODED = ChannelRef("slack", "T1", "C0FLOOD", "flood")
QUIET = ChannelRef("discord", "G1", "42", "quiet")
LOUNGE = ChannelRef("slack", "T1", "C0LOUNGE", "lounge")
MALLORY, BO, CY = Actor("U0MALLORY", "mallory"), Actor("U0BO", "bo"), Actor("U0CY", "cy")
ADA = Actor("7001", "ada")
THURSDAY = date(2026, 2, 12)  # the fake clock's arXiv day


class Replies:
    """The engine as these tests type into it: each command's reply, whoever it is shown to."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def handle(self, channel: ChannelRef, actor: Actor, command: Command) -> Reply:
        """What `command` answers."""
        return (await self._engine.handle(channel, actor, command)).reply


@dataclass
class Deployment:
    """Paperboy's services on the fake arXiv, and the source whose gate every request passes."""

    services: Services
    source: ArxivSource

    @property
    def engine(self) -> Replies:
        """Where every platform's commands go."""
        return Replies(self.services.engine)


@pytest.fixture
async def deployment(
    settings: Settings, fake_arxiv: FakeArxiv, clock: FakeClock
) -> AsyncIterator[Deployment]:
    """Services as `paperboy run` builds them (default limits: 2 a person, 4 a channel; misses kept 1 h)."""
    source = fake_arxiv_source(fake_arxiv, clock)
    services = await build_services(settings, clock=clock, source=source)
    yield Deployment(services, source)
    await services.close()
    source.close()


def asked(fake: FakeArxiv) -> list[str]:
    """The ids arXiv's API was asked for, request by request, in the order arXiv saw them."""
    return [r.query.get("id_list", "") for r in fake.requests_to("/api/query")]


def text_of(reply: Reply | None) -> str:
    """The notice a person was shown."""
    assert isinstance(reply, Notice), reply
    return reply.text


async def test_twenty_unknown_ids_from_one_person_are_cut_at_two_and_another_channel_goes_next(
    deployment: Deployment, fake_arxiv: FakeArxiv
) -> None:
    engine, gate = deployment.engine, deployment.source.gate
    with HeldGate(gate):  # arXiv is busy (the listing, say) when the flood comes
        flood = [asyncio.create_task(engine.handle(FLOODED, MALLORY, Explain(i))) for i in UNKNOWN]
        await until(
            lambda: sum(t.done() for t in flood) == 18 and gate.waiting == 2,
            "18 explains answered at once, 2 waiting for arXiv",
        )
        other = asyncio.create_task(engine.handle(QUIET, ADA, Explain(LATEX_ID)))
        await until(lambda: gate.waiting == 3)
    answers = [text_of(await t) for t in flood]
    theirs = await other

    assert isinstance(theirs, PaperCard) and theirs.paper.title == r"Convergence of $\alpha$-stable SGD"
    assert asked(fake_arxiv).index(LATEX_ID) == 2  # only Mallory's two look-ups went before it
    busy = [a for a in answers if a.startswith("You have 2 papers being looked up on arXiv; try again when")]
    unknown = [a for a in answers if a.startswith("arXiv has no paper 2611.999")]
    assert len(busy) == 18 and len(unknown) == 2
    # Two look-ups, each asked twice (an empty answer may be arXiv's sporadic empty page), and Ada's.
    assert len(asked(fake_arxiv)) == 5

    # The same unknown ids again: answered from memory, without a request, and without counting.
    looked_up = [i for i in UNKNOWN if i in asked(fake_arxiv)]
    again = await asyncio.gather(*(engine.handle(FLOODED, MALLORY, Explain(i)) for i in looked_up * 3))
    assert len(asked(fake_arxiv)) == 5
    for answer in map(text_of, again):
        assert answer.startswith("arXiv has no paper 2611.999")
        assert "I won't ask arXiv about it again for 60 minutes." in answer


async def test_the_limit_answer_is_a_warning_and_asking_too_goes_through_it(
    deployment: Deployment, fake_arxiv: FakeArxiv
) -> None:
    engine, gate = deployment.engine, deployment.source.gate
    with HeldGate(gate):
        going = [asyncio.create_task(engine.handle(FLOODED, MALLORY, Explain(i))) for i in UNKNOWN[:2]]
        await until(lambda: gate.waiting == 2)
        asked_too = await engine.handle(FLOODED, MALLORY, Ask(UNKNOWN[2], "Does it converge?"))
        elsewhere = await engine.handle(LOUNGE, MALLORY, Explain(UNICODE_ID))  # one person, any channel
    await asyncio.gather(*going)

    for reply in (asked_too, elsewhere):
        assert isinstance(reply, Notice) and reply.tone is Tone.WARNING
        assert reply.text == "You have 2 papers being looked up on arXiv; try again when they are answered."
    assert UNKNOWN[2] not in asked(fake_arxiv) and UNICODE_ID not in asked(fake_arxiv)


async def test_stored_papers_and_remembered_misses_never_count_against_the_limit(
    deployment: Deployment, fake_arxiv: FakeArxiv
) -> None:
    engine, gate = deployment.engine, deployment.source.gate
    await engine.handle(FLOODED, MALLORY, Explain(LATEX_ID))  # now stored
    await engine.handle(FLOODED, MALLORY, Explain(UNKNOWN[0]))  # now a remembered miss
    before = len(asked(fake_arxiv))
    with HeldGate(gate):
        going = [asyncio.create_task(engine.handle(FLOODED, MALLORY, Explain(i))) for i in UNKNOWN[1:3]]
        await until(lambda: gate.waiting == 2)
        stored = await engine.handle(FLOODED, MALLORY, Ask(LATEX_ID, "What is the rate?"))
        missed = await engine.handle(FLOODED, MALLORY, Explain(UNKNOWN[0]))
        assert gate.waiting == 2  # answered while Mallory's two look-ups still wait for arXiv
    await asyncio.gather(*going)

    assert isinstance(stored, Answer) and stored.paper.arxiv_id == LATEX_ID
    assert text_of(missed).startswith(f"arXiv has no paper {UNKNOWN[0]}")
    assert len(asked(fake_arxiv)) == before + 4  # the two look-ups only, each asked twice


async def test_a_channel_has_at_most_four_look_ups_going_whoever_asks(
    deployment: Deployment, fake_arxiv: FakeArxiv
) -> None:
    engine, gate = deployment.engine, deployment.source.gate
    with HeldGate(gate):
        people = [MALLORY, MALLORY, BO, BO]
        going = [
            asyncio.create_task(engine.handle(FLOODED, who, Explain(i)))
            for who, i in zip(people, UNKNOWN, strict=False)
        ]
        await until(lambda: gate.waiting == 4)
        refused = await engine.handle(FLOODED, CY, Explain(UNKNOWN[4]))
        elsewhere = asyncio.create_task(engine.handle(QUIET, CY, Explain(LATEX_ID)))
        await until(lambda: gate.waiting == 5)
    await asyncio.gather(*going)

    assert text_of(refused) == (
        "This channel has 4 papers being looked up on arXiv; try again in a moment, when they are answered."
    )
    assert isinstance(await elsewhere, PaperCard)  # Cy in another channel was looked up
    assert UNKNOWN[4] not in asked(fake_arxiv)


async def test_an_id_the_listing_names_is_never_answered_unknown_though_arxiv_had_no_paper_before(
    chat: ConsoleChat,
) -> None:
    assert chat.services is not None
    chat.fake.set_papers([])
    chat.fake.clock = chat.clock  # listings turn at midnight Eastern on the chat's clock
    fresh = make_paper("2602.20004", title="A paper announced this morning", abstract="It converges.")
    bare = make_paper("2602.20005", title="An item without text", abstract="")
    for paper in (fresh, bare):
        before = await chat.say(f"explain {paper.arxiv_id}")  # nobody has it yet: remembered as missing
        assert f"arXiv has no paper {paper.arxiv_id}" in before
        chat.fake.add_paper(paper, day=THURSDAY)
        chat.fake.api_lacks.add(paper.arxiv_id)  # the feed names it; the API lags by up to a day
    await chat.say("subscribe cat:cs.LG")
    await chat.say("preview")  # the listing is read

    listed = await chat.say(f"explain {fresh.arxiv_id}")
    unreadable = await chat.say(f"explain {bare.arxiv_id}")
    assert "A paper announced this morning" in listed and "arXiv has no paper" not in listed
    assert (
        f"{bare.arxiv_id} is in today's arXiv listing, but arXiv has not published its details" in unreadable
    )

    # The same day arXiv's API learns of it: the remembered miss does not stand in the way.
    chat.fake.api_lacks.clear()
    await chat.say(f"explain {fresh.arxiv_id}")
    stored = (await chat.services.repository.papers([fresh.arxiv_id]))[fresh.arxiv_id]
    assert stored.complete
    assert "An item without text" in await chat.say(f"explain {bare.arxiv_id}")


async def test_an_arxiv_failure_is_never_remembered_as_a_missing_paper(chat: ConsoleChat) -> None:
    chat.fake.fail_next(3, status=503, path="/api")  # every try of one look-up
    failed = await chat.say(f"explain {LATEX_ID}")
    assert "arXiv did not answer (HTTP 503) after 3 tries" in failed and "has no paper" not in failed
    assert "Convergence of $\\alpha$-stable SGD" in await chat.say(f"explain {LATEX_ID}")

    chat.fake.fail_next(3, status=503, path="/api")
    await chat.say(f"explain {UNKNOWN[0]}")
    before = len(asked(chat.fake))
    assert f"arXiv has no paper {UNKNOWN[0]}" in await chat.say(f"explain {UNKNOWN[0]}")
    assert len(asked(chat.fake)) == before + 2  # asked anew, since the 503 taught nothing
