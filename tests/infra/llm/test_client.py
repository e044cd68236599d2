"""The litellm client against the fake OpenAI-compatible server: replies, retries, timeouts, keys."""

from __future__ import annotations

import dataclasses
import logging
import subprocess
import sys

import pytest
from pydantic import SecretStr

from bot.infra.llm import LlmClient, LlmConfig
from bot.ports import LlmKeyRejected, LlmTimedOut, LlmUnavailable
from tests.fakes.llm_server import FakeLlm, UsageMissing
from tests.support.processes import free_port

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Title: A paper"}]


class RecordedSleeps:
    """Backoff waits, recorded instead of slept, so a retry test takes no time."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client_for(
    fake: FakeLlm, sleeps: RecordedSleeps | None = None, *, key: str | None = None, **options: float
) -> LlmClient:
    config = LlmConfig(
        provider="openai",
        model="openai/fake-model",
        api_key=SecretStr(key or fake.api_key),
        api_base=fake.api_base,
        timeout=options.get("timeout", 5.0),
        max_retries=int(options.get("max_retries", 3)),
        retry_wait=options.get("retry_wait", 1.0),
    )
    return LlmClient(config, sleep=sleeps or RecordedSleeps())


async def test_a_reply_comes_back_with_its_tokens_and_what_we_sent(fake_llm: FakeLlm) -> None:
    fake_llm.reply_next("x⁺ = x − η∇f(x)", usage=(120, 30))
    completion = await client_for(fake_llm).complete(MESSAGES, max_tokens=321)

    assert completion.text == "x⁺ = x − η∇f(x)"
    assert (completion.prompt_tokens, completion.completion_tokens) == (120, 30)
    assert completion.cost == 0.0  # a model missing from litellm's price list costs nothing known
    sent = fake_llm.requests[0]
    assert sent.body["model"] == "fake-model"
    assert sent.body["max_tokens"] == 321
    assert sent.body["messages"] == MESSAGES
    assert sent.authorization == "Bearer test-key"


@pytest.mark.parametrize("missing", ["omitted", "null", "zeros"])
async def test_a_reply_without_usage_is_charged_its_counted_tokens_never_zero(
    fake_llm: FakeLlm, missing: UsageMissing, caplog: pytest.LogCaptureFixture
) -> None:
    long_prompt = [{"role": "user", "content": "Explain the Hessian of a bilevel problem. " * 40}]
    reply = "The hypergradient needs the inverse Hessian of the inner problem. " * 5
    fake_llm.reply_next(reply, usage_missing=missing)
    fake_llm.reply_next(reply, usage_missing=missing)
    client = client_for(fake_llm)
    with caplog.at_level(logging.WARNING):
        first = await client.complete(long_prompt, max_tokens=300)
        second = await client.complete(long_prompt, max_tokens=300)

    assert first.usage_estimated and first == second
    # What litellm's counter says the messages and the reply take: roughly 4 characters a token.
    assert 300 < first.prompt_tokens < 600
    assert 50 < first.completion_tokens < 120
    assert first.completion_tokens == await client.count_tokens(reply)
    warned = [r.getMessage() for r in caplog.records if "sent no token usage" in r.getMessage()]
    assert warned == [
        "LLM openai/fake-model sent no token usage; budgets count its calls with litellm's token counter"
    ]


async def test_a_priced_model_without_usage_is_priced_from_the_counted_tokens(fake_llm: FakeLlm) -> None:
    config = dataclasses.replace(client_for(fake_llm).config, model="openai/gpt-4o-mini")
    fake_llm.reply_next("A short answer.", usage_missing="omitted")
    completion = await LlmClient(config).complete(MESSAGES, max_tokens=50)
    # gpt-4o-mini's list price: $0.15 a million prompt tokens, $0.60 a million completion tokens.
    expected = completion.prompt_tokens * 0.15e-6 + completion.completion_tokens * 0.6e-6
    assert completion.usage_estimated and completion.cost == pytest.approx(expected)
    assert completion.cost > 0


async def test_a_rate_limit_waits_as_long_as_retry_after_says_then_succeeds(fake_llm: FakeLlm) -> None:
    sleeps = RecordedSleeps()
    fake_llm.rate_limit_next(retry_after=0.25)
    completion = await client_for(fake_llm, sleeps).complete(MESSAGES, max_tokens=50)

    assert "Key idea" in completion.text
    assert fake_llm.calls == 2
    assert sleeps.waits == [0.25]


async def test_server_errors_are_retried_with_growing_waits_then_reported(fake_llm: FakeLlm) -> None:
    sleeps = RecordedSleeps()
    fake_llm.fail_next(4, status=500)
    with pytest.raises(LlmUnavailable) as failure:
        await client_for(fake_llm, sleeps, max_retries=3, retry_wait=0.5).complete(MESSAGES, max_tokens=50)

    assert fake_llm.calls == 4
    assert sleeps.waits == [0.5, 1.0, 2.0]
    assert "HTTP 500" in str(failure.value) and "4 tries" in str(failure.value)


async def test_a_503_then_success_is_just_slower(fake_llm: FakeLlm) -> None:
    fake_llm.fail_next(1, status=503)
    completion = await client_for(fake_llm).complete(MESSAGES, max_tokens=50)
    assert completion.text and fake_llm.calls == 2


async def test_a_stalled_reply_hits_our_timeout_and_is_not_retried(fake_llm: FakeLlm) -> None:
    fake_llm.delay = 10
    with pytest.raises(LlmTimedOut, match=r"within 0\.5 s"):
        await client_for(fake_llm, timeout=0.5).complete(MESSAGES, max_tokens=50)
    assert fake_llm.calls == 1


async def test_a_rejected_key_is_named_never_retried_and_never_logged(
    fake_llm: FakeLlm, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "sk-live-DO-NOT-LEAK-4242"
    with pytest.raises(LlmKeyRejected) as failure:
        await client_for(fake_llm, key=secret).complete(MESSAGES, max_tokens=50)

    assert str(failure.value) == "the LLM provider openai rejected LLM_API_KEY"
    assert fake_llm.calls == 1
    assert fake_llm.requests[0].authorization == f"Bearer {secret}"  # it was really sent...
    assert secret not in caplog.text  # ...and never written anywhere
    assert "rejected the API key" in caplog.text


async def test_tokens_are_counted_offline_by_litellm(fake_llm: FakeLlm) -> None:
    client = client_for(fake_llm)
    short, long = await client.count_tokens("convergence"), await client.count_tokens("convergence " * 200)
    assert 0 < short < 5 < 150 < long
    assert fake_llm.calls == 0


def test_importing_the_bot_does_not_import_litellm() -> None:
    code = (
        "import sys, bot.cli, bot.app, bot.infra.llm, bot.services.explanations; "
        "print('litellm' in sys.modules, 'pypdf' in sys.modules)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["False", "False"]


async def test_a_refused_connection_says_which_server_could_not_be_reached_never_http_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()  # nothing listens there: the connection is refused
    sleeps = RecordedSleeps()
    secret = "sk-refused-connection-key-0123456789"
    config = LlmConfig(
        provider="openai",
        model="openai/fake-model",
        api_key=SecretStr(secret),
        api_base=f"http://127.0.0.1:{port}/v1",
        timeout=5.0,
        max_retries=1,
        retry_wait=1.0,
    )
    with caplog.at_level(logging.WARNING), pytest.raises(LlmUnavailable) as raised:
        await LlmClient(config, sleep=sleeps).complete(MESSAGES, max_tokens=10)

    message = str(raised.value)
    assert message == f"the LLM server at 127.0.0.1:{port} could not be reached: connection refused (2 tries)"
    assert "500" not in message + caplog.text
    assert f"127.0.0.1:{port} could not be reached" in caplog.text  # the operator sees where, too
    assert secret not in message + caplog.text
    assert sleeps.waits == [1.0]  # a refused connection is retried like a server error
