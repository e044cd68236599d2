"""The HTTP session every arXiv request goes through: our User-Agent, a timeout and the request gate."""

from __future__ import annotations

import contextlib
from importlib.metadata import PackageNotFoundError, version

import arxiv
import requests
import urllib3
from requests.adapters import HTTPAdapter

from bot import __version__, metrics
from bot.infra.arxiv.gate import RequestGate
from bot.infra.arxiv.watch import WATCHED_POOLS, watching

USER_AGENT = f"paperboy-bot/{__version__}"
# Where arxiv 4.0.2 keeps the `requests.Session` it sends every API request with.
ARXIV_SESSION_ATTRIBUTE = "_session"
# An API page of 500 papers or a day's listing is a few MB; a server sending far more, or sending
# for minutes, is broken or hostile, and the request gate must not be held for it.
MAX_ANSWER_BYTES = 64_000_000
ANSWER_DEADLINE = 180.0


class ArxivLibraryChanged(RuntimeError):
    """The installed `arxiv` library no longer works the way Paperboy's transport relies on."""


class GatedAdapter(HTTPAdapter):
    """An adapter that waits for the gate, names Paperboy, and never sends without a timeout."""

    def __init__(
        self,
        gate: RequestGate,
        timeout: float,
        *,
        max_bytes: int = MAX_ANSWER_BYTES,
        deadline: float = ANSWER_DEADLINE,
    ) -> None:
        super().__init__(max_retries=0)
        self.gate = gate
        self.timeout = timeout
        self.max_bytes = max_bytes  # an API page or a listing is a few MB; more is not arXiv talking
        self.deadline = deadline  # for the whole answer, not per read
        # Connections a download can cut at its deadline (see watch.py).
        self.poolmanager.pool_classes_by_scheme = WATCHED_POOLS

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send inside the gate's slot, as Paperboy, with our timeout unless the caller gave one."""
        if stream and not self.gate.held_here():
            # A streamed body is read after `send` returns: its reader must hold the slot throughout.
            raise RuntimeError("stream arXiv responses inside gate.slot() (see download.py)")
        # The arxiv library passes its own User-Agent with every request, over the session's.
        request.headers["User-Agent"] = USER_AGENT
        with self.gate.slot(), contextlib.ExitStack() as bounds:
            # A download (stream=True) brings its own watch and byte cap.
            watch = None if stream else bounds.enter_context(watching(self.deadline))
            try:
                response = super().send(
                    request,
                    stream=True,
                    timeout=self.timeout if timeout is None else timeout,
                    verify=verify,
                    cert=cert,
                    proxies=proxies,
                )
                metrics.count_arxiv_request(response.status_code)
                if not stream:
                    # Read the body while still holding the slot (one connection at a time), never
                    # more than the cap, and before the deadline cuts the connection.
                    response._content = _read_capped(response, self.max_bytes)  # as `.content` would
                    if watch is not None and watch.cut_off:  # what arrived is cut short: no answer
                        raise requests.Timeout(f"arXiv's answer took more than {self.deadline:.0f} s")
            except requests.RequestException:
                metrics.count_arxiv_request("error")
                raise
            return response


class AnswerTooLarge(requests.RequestException):
    """An API page or a listing far larger than arXiv ever sends: a broken or hostile server."""


def _read_capped(response: requests.Response, max_bytes: int) -> bytes:
    """The whole body, or AnswerTooLarge past `max_bytes` (never holding more than that)."""
    body = bytearray()
    try:
        for chunk in response.raw.stream(64 * 1024, decode_content=True):
            body += chunk
            if len(body) > max_bytes:
                raise AnswerTooLarge(f"arXiv's answer ran past {max_bytes // 1_000_000} MB; not read further")
    except urllib3.exceptions.HTTPError as error:  # a cut or broken connection, the deadline's too
        raise requests.exceptions.ConnectionError(error, request=response.request) from error
    finally:
        response.close()
    return bytes(body)


def gated_session(gate: RequestGate, timeout: float) -> requests.Session:
    """A session whose every request, API, RSS or full text, passes the gate with a timeout."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    adapter = GatedAdapter(gate, timeout)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def arxiv_library_version() -> str:
    """The installed arxiv library's version, for messages."""
    try:
        return version("arxiv")
    except PackageNotFoundError:
        return "(unknown version)"


def check_arxiv_library(client_class: type[arxiv.Client] = arxiv.Client) -> None:
    """Fail at start-up, loudly, if the library no longer keeps its session where we put ours."""
    probe = client_class(page_size=1, delay_seconds=0, num_retries=0)
    if not isinstance(getattr(probe, ARXIV_SESSION_ATTRIBUTE, None), requests.Session):
        raise ArxivLibraryChanged(
            f"arxiv {arxiv_library_version()} no longer keeps its HTTP session in "
            f"`Client.{ARXIV_SESSION_ATTRIBUTE}`, so Paperboy cannot route its requests through the "
            "request gate (arXiv's 3-second rule), its timeout and its User-Agent. Install the "
            "version Paperboy was tested with (`pip install 'arxiv==4.0.2'`) or update "
            "bot/infra/arxiv/transport.py."
        )


def arxiv_client(session: requests.Session, api_url: str, page_size: int) -> arxiv.Client:
    """An `arxiv.Client` that only parses and pages: the gate and our retries do the rest."""
    client = arxiv.Client(page_size=page_size, delay_seconds=0, num_retries=0)
    client.query_url_format = f"{api_url}?{{}}"
    # The one private touch: arxiv 4.0.2 offers no way to pass a session, and its own has no
    # timeout and no deployment-wide rate limit. `check_arxiv_library` guards it at start-up.
    setattr(client, ARXIV_SESSION_ATTRIBUTE, session)
    return client
