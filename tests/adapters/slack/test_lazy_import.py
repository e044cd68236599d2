"""slack_bolt is loaded only when a Slack adapter is created, never by the CLI or the package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[3]


def test_importing_the_cli_and_the_slack_package_loads_no_slack_library() -> None:
    probe = (
        "import sys, bot.cli, adapters.slack; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'slack_bolt', 'slack_sdk', 'aiohttp'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
