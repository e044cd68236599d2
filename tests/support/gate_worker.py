"""One process making arXiv requests through the deployment's gate, for the cross-process gate tests.

    python -m tests.support.gate_worker DATABASE_URL ARXIV_BASE_URL INTERVAL REQUESTS [--local]

It builds its gate as `paperboy` does (`gate_for_database`; `--local` gives it a gate of its own,
as every process had before), prints `ready`, waits for a line on stdin so that all workers start
together, then alternates listing and id look-ups and prints `done`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.infra.arxiv import ArxivSource, RequestGate
from bot.infra.arxiv.shared_gate import gate_for_database
from tests.fakes.arxiv_papers import LATEX_ID


async def _requests(source: ArxivSource, count: int) -> None:
    for n in range(count):
        if n % 2:
            await source.fetch_papers([LATEX_ID])
        else:
            await source.fetch_listing(["cs.LG"])


def main(argv: list[str] | None = None) -> None:
    """Wait for the go, make the requests, report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("arxiv_url")
    parser.add_argument("interval", type=float)
    parser.add_argument("requests", type=int)
    parser.add_argument("--local", action="store_true")
    args = parser.parse_args(argv)
    gate = RequestGate(args.interval) if args.local else gate_for_database(args.database_url, args.interval)
    api, rss = f"{args.arxiv_url}/api/query", f"{args.arxiv_url}/rss"
    source = ArxivSource(api, rss, gate=gate, timeout=10, retries=0)
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        asyncio.run(_requests(source, args.requests))
    finally:
        source.close()
        gate.close()
    print("done", flush=True)


if __name__ == "__main__":
    main()
