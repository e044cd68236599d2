"""What one reply cost, in tokens and money, even when the server does not say."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from bot.ports import Completion


def completion_from(
    litellm: ModuleType, response: Any, model: str, messages: list[dict[str, str]]
) -> Completion:
    """The reply and its cost; tokens the server did not report are counted here, never taken as 0.

    Some OpenAI-compatible servers send no `usage` (or `null`, or zeros), and litellm then reports
    zeros: the prompt is counted from the messages sent and the completion from the reply's text.
    """
    text = response.choices[0].message.content or ""
    usage = getattr(response, "usage", None)
    prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
    completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
    estimated = False
    if prompt_tokens <= 0:
        prompt_tokens, estimated = int(litellm.token_counter(model=model, messages=messages)), True
    if completion_tokens <= 0 and text:
        completion_tokens, estimated = int(litellm.token_counter(model=model, text=text)), True
    # litellm has priced the response already (`_hidden_params`); pricing it again costs ~1 ms a call.
    known = (getattr(response, "_hidden_params", None) or {}).get("response_cost")
    try:
        if estimated:  # litellm priced zero tokens: price our counts instead
            prompt_cost, completion_cost = litellm.cost_per_token(
                model=model, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
            )
            cost = float(prompt_cost + completion_cost)
        else:
            cost = float(
                known if known is not None else litellm.completion_cost(completion_response=response) or 0.0
            )
    except Exception:  # models missing from litellm's price list (local servers) cost nothing known
        cost = 0.0
    return Completion(
        text=text,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        cost=cost,
        usage_estimated=estimated,
    )
