"""A failure described for the operator's log without quoting the payload that caused it."""

from __future__ import annotations

import traceback
from pathlib import Path


def describe_failure(error: BaseException) -> str:
    """The exception's type, the field a KeyError names, and where it was raised; no payload values.

    Platform payloads carry tokens (Discord's interaction token, Slack's response_url), and
    exception messages may quote the values they choked on. A KeyError names a field from the
    library's code, not from the payload, so that one is kept.
    """
    what = type(error).__name__
    if isinstance(error, KeyError) and error.args and isinstance(error.args[0], str):
        what += f" {error.args[0][:40]!r}"
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        last = frames[-1]
        where = "/".join(Path(last.filename).parts[-2:])
        what += f" in {last.name} ({where}:{last.lineno})"
    return what
