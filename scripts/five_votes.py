"""Print the README's example: a team teaching Paperboy its taste in five votes, on two real days.

    python scripts/five_votes.py

The console, the real services on a SQLite file, the fake arXiv serving two real arXiv days
(`tests/fixtures/diffusion_days.jsonl`) and the wordllama model from the installed package.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.diffusion_days import run

if __name__ == "__main__":
    logging.disable(logging.INFO)
    print(run())
