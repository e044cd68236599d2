"""Talking to arXiv through its bad days: which failures pass, how long to wait, what to tell a user."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import arxiv
import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential

from bot import metrics
from bot.infra.arxiv.feed import ListingUnreadable
from bot.infra.arxiv.gate import GateUnavailable
from bot.infra.arxiv.transport import AnswerTooLarge
from bot.ports import SourceUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

BACKOFF_FIRST = 3.0
BACKOFF_MAX = 60.0
# An empty answer to a user's look-up is tried twice: it may be arXiv's sporadic empty page, or
# the ids may simply not exist. Ids taken from a listing do exist, so there it gets every try.
LOOKUP_EMPTY_TRIES = 2


class ArxivError(SourceUnavailable):
    """A failure talking to arXiv; the message is safe to show a user."""


class ArxivUnavailable(ArxivError):
    """arXiv kept failing (5xx, 429, timeouts, empty answers) until the tries ran out."""

    def __init__(self, reason: str, tries: int) -> None:
        plural = "try" if tries == 1 else "tries"
        super().__init__(f"arXiv did not answer ({reason}) after {tries} {plural}")
        metrics.count_error(metrics.ERROR_ARXIV)
        self.reason = reason
        self.tries = tries


class ArxivRejected(ArxivError):
    """arXiv refused the request itself (a 4xx such as a malformed id); retrying won't help."""

    def __init__(self, what: str, status: int) -> None:
        super().__init__(f"arXiv rejected the {what} (HTTP {status})")
        self.status = status


class EmptyAnswer(Exception):
    """Zero results where results were expected: arXiv's sporadic empty first page."""


def is_transient(error: BaseException) -> bool:
    if isinstance(error, arxiv.HTTPError):
        status: int = error.status
        return status >= 500 or status == 429
    return isinstance(
        error,
        requests.ConnectionError  # GateUnavailable included
        | requests.Timeout
        | requests.exceptions.ChunkedEncodingError
        | arxiv.UnexpectedEmptyPageError
        | EmptyAnswer
        | ListingUnreadable,
    )


def reason(error: BaseException | None) -> str:
    match error:
        case arxiv.HTTPError(status=status):
            return f"HTTP {status}"
        case GateUnavailable():
            return "request gate unreachable"
        case requests.Timeout():
            return "timed out"
        case AnswerTooLarge():
            return "answer too large"
        case requests.ConnectionError():
            return "connection failed"
        case arxiv.UnexpectedEmptyPageError() | EmptyAnswer():
            return "empty result"
        case ListingUnreadable():
            return "unreadable listing"
        case _:
            return type(error).__name__


def call_with_retries(
    call: Callable[[], T],
    tries: int,
    sleep: Callable[[float], None],
    path: str,
    what: str,
    *,
    empty_ok: bool = False,
) -> T:
    """Run `call`, retrying transient failures with backoff (sleeping with `sleep`), at most `tries` times.

    The errors say what failed for a user: ArxivUnavailable after the tries, ArxivRejected at once.
    """

    empty_answers = 0

    def stop(state: RetryCallState) -> bool:
        nonlocal empty_answers
        error = state.outcome.exception() if state.outcome else None
        if empty_ok and isinstance(error, EmptyAnswer):
            empty_answers += 1
            if empty_answers >= LOOKUP_EMPTY_TRIES:
                return True
        return state.attempt_number >= tries

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "arXiv %s: %s (try %d of %d); retrying in %.0f s",
            path, reason(error), state.attempt_number, tries, wait,
        )  # fmt: skip

    retrying = Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop,
        wait=wait_exponential(multiplier=BACKOFF_FIRST, max=BACKOFF_MAX),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retrying(call)
    except EmptyAnswer:
        if empty_ok:
            raise
        raise ArxivUnavailable("empty result", _tries(retrying)) from None
    except arxiv.HTTPError as error:
        if is_transient(error):
            raise ArxivUnavailable(reason(error), _tries(retrying)) from error
        raise ArxivRejected(what, error.status) from error
    except (requests.RequestException, arxiv.ArxivError, ListingUnreadable) as error:
        raise ArxivUnavailable(reason(error), _tries(retrying)) from error


def _tries(retrying: Retrying) -> int:
    return int(retrying.statistics.get("attempt_number", 1))
