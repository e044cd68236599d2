"""Explanations through an LLM: cached per paper version, shared, budgeted, never raising."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date

from bot.domain.channel import ChannelRef
from bot.domain.clock import Clock
from bot.domain.digest import ExplanationText
from bot.domain.paper import Paper
from bot.ports import (
    Completion,
    ExplanationCache,
    ExplanationKey,
    FullTextSource,
    LanguageModel,
    LlmKeyRejected,
    LlmUnavailable,
)
from bot.rendering.sanitize import sanitize_text
from bot.services.explanation_notes import key_rejected_note, note, refusal_note
from bot.services.paper_text import ABSTRACT_SOURCE, PaperText, PaperTexts
from bot.services.prompts import (
    ANSWER_MAX_CHARS,
    ANSWER_MAX_TOKENS,
    EXPLANATION_MAX_CHARS,
    EXPLANATION_MAX_TOKENS,
    PROMPT_VERSION,
    answer_messages,
    cut,
    explain_messages,
    prompt_frame,
)
from bot.services.spending import Call, Refusal, Spending

log = logging.getLogger(__name__)

NO_CHANNEL = "(no channel)"
RECENT_EXPLANATIONS = 2_048
# Tokens of the prompt around the paper's text: system prompt, title, authors, abstract, question.
PROMPT_FRAME_TOKENS = 1_500


@dataclass(frozen=True, slots=True)
class Attempt:
    """What asking for an explanation did: the text, and whom a new LLM call was charged to."""

    text: ExplanationText
    charged: str | None = None  # the channel key a new call was charged to; None if none was made
    refused: bool = False  # the budgets had no room for a new call


class LlmExplainer:
    """The `Explainer` behind `/explain`, `ask` and every digest item when an LLM is configured.

    One explanation per (paper version, model, prompt version) lives in the database; concurrent
    requests for one paper share one LLM call, and calls run at most `concurrency` at a time.
    Digests ask with `full_text=False` (no arXiv request per paper); `explain` and `ask` read the
    full text. Whichever was written first is the one every channel is shown.
    """

    def __init__(
        self,
        llm: LanguageModel,
        store: ExplanationCache,
        spending: Spending,
        clock: Clock,
        *,
        full_text: FullTextSource | None = None,
        text_tokens: int = 12_000,
        concurrency: int = 4,
    ) -> None:
        self._llm = llm
        self._full_text = full_text
        self._store = store
        self._clock = clock
        self._texts = PaperTexts(llm, full_text, text_tokens)
        self.concurrency = concurrency
        self._limit = asyncio.Semaphore(concurrency)
        self._spending = spending
        self._inflight: dict[ExplanationKey, asyncio.Task[ExplanationText]] = {}
        self._recent: OrderedDict[ExplanationKey, ExplanationText] = OrderedDict()
        # Keys a prefetch found missing from the database: no need to ask it again one by one.
        self._absent: set[ExplanationKey] = set()
        self.calls_made = 0
        self.calls_in_flight = 0  # sent to the LLM, not answered yet

    async def close(self) -> None:
        """Release the LLM's and arXiv's pooled connections."""
        await self._llm.close()
        if self._full_text is not None:
            self._full_text.close()

    @property
    def writing(self) -> int:
        """Explanations being written now (waiting for a call slot or for the LLM)."""
        return len(self._inflight)

    @property
    def model(self) -> str:
        """The litellm model name explanations are written by."""
        return self._llm.model

    async def prefetch(self, papers: Sequence[Paper]) -> None:
        """Read the stored explanations of many papers in one go, before a digest cycle asks for each."""
        keys = [self._key(p) for p in papers]
        keys = [k for k in keys if k not in self._recent]
        if not keys:
            return
        stored = await self._store.explanations(keys)
        self._absent = {key for key in keys if key not in stored}
        for key in keys:
            found = stored.get(key)
            if found is not None:
                self._remember(key, ExplanationText(sanitize_text(found.text), found.model, found.source))

    async def cached(self, papers: Sequence[Paper]) -> dict[str, ExplanationText]:
        """What is already written for these papers (a preview shows it and writes nothing)."""
        await self.prefetch(papers)
        found = {}
        for paper in papers:
            text = self._cached(self._key(paper))
            if text is not None:
                found[paper.arxiv_id] = text
        return found

    def _key(self, paper: Paper) -> ExplanationKey:
        return ExplanationKey(paper.arxiv_id, paper.version, self._llm.model, PROMPT_VERSION)

    async def explain(
        self,
        paper: Paper,
        *,
        channel: ChannelRef | None = None,
        full_text: bool = True,
        user: str | None = None,
    ) -> ExplanationText:
        """The cached explanation, or a new one, or a short note saying why there is none; never raises.

        A new call counts against `user`'s daily allowance too (a person's `platform:id`).
        """
        try:
            payers = [channel.key if channel else NO_CHANNEL]
            return (await self._attempt(paper, payers, full_text, user)).text
        except Exception:
            log.exception("explaining %s failed", paper.versioned_id)
            return note(paper, "something went wrong on my side")

    async def write_ahead(self, paper: Paper, payers: Sequence[ChannelRef]) -> Attempt:
        """A digest's explanation (from the abstract), written before the digest asks; never raises.

        A new call is charged to the first of `payers` whose daily budget has room.
        """
        try:
            return await self._attempt(paper, [ref.key for ref in payers], full_text=False)
        except Exception:
            log.exception("writing ahead %s failed", paper.versioned_id)
            return Attempt(note(paper, "something went wrong on my side"))

    async def _attempt(
        self, paper: Paper, payers: Sequence[str], full_text: bool, user: str | None = None
    ) -> Attempt:
        key = self._key(paper)
        # The memory twice: a call may finish while the database is read.
        found = self._cached(key)
        if found is None and key not in self._absent:
            found = await self._stored(key) or self._cached(key)
        if found is not None:
            return Attempt(found)
        charged: str | None = None
        task = self._inflight.get(key)
        if task is None:
            worst = await self._worst_case(paper, EXPLANATION_MAX_TOKENS, full_text)
            call = await self._spending.reserve(payers, self._today(), worst, user)
            if isinstance(call, Refusal):
                return Attempt(refusal_note(paper, call), refused=True)
            charged = call.channel_key
            # While the budgets were checked, another request may have started or finished this one.
            found, task = self._cached(key), self._inflight.get(key)
            if found is not None or task is not None:
                await self._spending.release(call)
                charged = None
            if found is not None:
                return Attempt(found)
            if task is None:
                task = asyncio.create_task(self._generate(paper, key, call, full_text))
                self._inflight[key] = task
                task.add_done_callback(lambda _: self._inflight.pop(key, None))
        return Attempt(await asyncio.shield(task), charged)

    async def answer(
        self, paper: Paper, question: str, *, channel: ChannelRef | None = None, user: str | None = None
    ) -> ExplanationText:
        """An answer from the same text the explanation reads; budgeted (`user`'s too), never cached."""
        try:
            return await self._answer(paper, question, channel, user)
        except Exception:
            log.exception("answering about %s failed", paper.versioned_id)
            return note(paper, "something went wrong on my side")

    async def _answer(
        self, paper: Paper, question: str, channel: ChannelRef | None, user: str | None
    ) -> ExplanationText:
        payers = [channel.key if channel else NO_CHANNEL]
        worst = await self._worst_case(paper, ANSWER_MAX_TOKENS, True, question)
        call = await self._spending.reserve(payers, self._today(), worst, user)
        if isinstance(call, Refusal):
            return refusal_note(paper, call, answer=True)
        try:
            async with self._limit:
                text = await self._texts.text(paper)
                reply = await self._call(answer_messages(paper, text.body, question), ANSWER_MAX_TOKENS)
                await self._spending.record(call, reply)
        except LlmUnavailable as error:
            return self._failure(paper, error)
        finally:
            await self._spending.release(call)
        if not reply.text.strip():
            return note(paper, "the LLM sent an empty answer")
        return ExplanationText(
            sanitize_text(cut(reply.text, ANSWER_MAX_CHARS)), model=self._llm.model, source=text.source
        )

    async def _generate(
        self, paper: Paper, key: ExplanationKey, call: Call, full_text: bool
    ) -> ExplanationText:
        try:
            async with self._limit:
                text = await self._texts.text(paper) if full_text else PaperText("", ABSTRACT_SOURCE)
                reply = await self._call(explain_messages(paper, text.body), EXPLANATION_MAX_TOKENS)
                await self._spending.record(call, reply)
            if not reply.text.strip():
                return note(paper, "the LLM sent an empty answer")
            body = cut(reply.text, EXPLANATION_MAX_CHARS)
            await self._store.save_explanation(
                key,
                body,
                text.source,
                prompt_tokens=reply.prompt_tokens,
                completion_tokens=reply.completion_tokens,
                cost=reply.cost,
            )
            return self._remember(key, ExplanationText(sanitize_text(body), self._llm.model, text.source))
        except LlmUnavailable as error:
            return self._failure(paper, error)
        except Exception:
            log.exception("explaining %s failed", paper.versioned_id)
            return note(paper, "something went wrong on my side")
        finally:
            await self._spending.release(call)

    async def _call(self, messages: list[dict[str, str]], max_tokens: int) -> Completion:
        self.calls_made += 1
        self.calls_in_flight += 1
        try:
            return await self._llm.complete(messages, max_tokens=max_tokens)
        finally:
            self.calls_in_flight -= 1

    async def _worst_case(self, paper: Paper, max_tokens: int, full_text: bool, question: str = "") -> int:
        """The most one call can spend: the full text budget if read, the prompt around it, the reply.

        A prompt longer than usual (a question of pages, a collaboration's thousand authors) is
        counted, so that no call spends much more than it reserved.
        """
        frame = PROMPT_FRAME_TOKENS
        if len(question) + len(paper.abstract) + len(paper.title) + sum(map(len, paper.authors)) > 3_000:
            frame = max(frame, await self._llm.count_tokens(prompt_frame(paper, question)) + 50)
        return (self._texts.max_tokens if full_text else 0) + frame + max_tokens

    def _cached(self, key: ExplanationKey) -> ExplanationText | None:
        found = self._recent.get(key)
        if found is not None:
            self._recent.move_to_end(key)
        return found

    async def _stored(self, key: ExplanationKey) -> ExplanationText | None:
        stored = await self._store.explanation(key)
        if stored is None:
            return None
        return self._remember(key, ExplanationText(sanitize_text(stored.text), stored.model, stored.source))

    def _remember(self, key: ExplanationKey, text: ExplanationText) -> ExplanationText:
        self._absent.discard(key)
        self._recent[key] = text
        while len(self._recent) > RECENT_EXPLANATIONS:
            self._recent.popitem(last=False)
        return text

    def _today(self) -> date:
        return self._clock.now().astimezone(UTC).date()

    def _failure(self, paper: Paper, error: LlmUnavailable) -> ExplanationText:
        return key_rejected_note(error) if isinstance(error, LlmKeyRejected) else note(paper, str(error))
