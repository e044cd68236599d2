"""The HTTP session every arXiv request goes through: our User-Agent, a timeout and the request gate."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import arxiv
import requests
from requests.adapters import HTTPAdapter

from bot import __version__, metrics
from bot.infra.arxiv.gate import RequestGate
from bot.infra.arxiv.watch import WATCHED_POOLS

USER_AGENT = f"paperboy-bot/{__version__}"
# Where arxiv 4.0.2 keeps the `requests.Session` it sends every API request with.
ARXIV_SESSION_ATTRIBUTE = "_session"


class ArxivLibraryChanged(RuntimeError):
    """The installed `arxiv` library no longer works the way Paperboy's transport relies on."""


class GatedAdapter(HTTPAdapter):
    """An adapter that waits for the gate, names Paperboy, and never sends without a timeout."""

    def __init__(self, gate: RequestGate, timeout: float) -> None:
        super().__init__(max_retries=0)
        self.gate = gate
        self.timeout = timeout
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
        with self.gate.slot():
            try:
                response = super().send(
                    request,
                    stream=stream,
                    timeout=self.timeout if timeout is None else timeout,
                    verify=verify,
                    cert=cert,
                    proxies=proxies,
                )
            except requests.RequestException:
                metrics.count_arxiv_request("error")
                raise
            metrics.count_arxiv_request(response.status_code)
            if not stream:
                # Read the body while still holding the slot: one connection at a time.
                _ = response.content
            return response


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
