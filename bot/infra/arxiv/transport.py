"""The HTTP session every arXiv request goes through: a default timeout and the request gate."""

from __future__ import annotations

import arxiv
import requests
from requests.adapters import HTTPAdapter

from bot import __version__, metrics
from bot.infra.arxiv.gate import RequestGate

USER_AGENT = f"paperboy-bot/{__version__}"


class GatedAdapter(HTTPAdapter):
    """An adapter that waits for the gate and never sends without a timeout."""

    def __init__(self, gate: RequestGate, timeout: float) -> None:
        super().__init__(max_retries=0)
        self.gate = gate
        self.timeout = timeout

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send inside the gate's slot, with our timeout unless the caller gave one."""
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
    """A session whose every request, API or RSS, passes the gate with a timeout."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    adapter = GatedAdapter(gate, timeout)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def arxiv_client(session: requests.Session, api_url: str, page_size: int) -> arxiv.Client:
    """An `arxiv.Client` that only parses and pages: the gate and our retries do the rest."""
    client = arxiv.Client(page_size=page_size, delay_seconds=0, num_retries=0)
    client.query_url_format = f"{api_url}?{{}}"
    # The one private touch: arxiv 4.0.2 offers no way to pass a session, and its own has no
    # timeout and no process-wide rate limit. Ours has both.
    client._session = session
    return client
