"""An empty digest's reason is true for the channel reading it."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.empty_digest import WEEKEND, empty_reason

TUESDAY, SATURDAY = date(2026, 2, 17), date(2026, 2, 21)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # A first digest never speaks of a last digest.
        (
            dict(since=date(2026, 2, 13), latest=TUESDAY, first_digest=True),
            "Nothing announced since Sat 14 Feb matched",
        ),
        (dict(since=date(2026, 2, 16), latest=TUESDAY, first_digest=False), "since the last digest."),
        (
            dict(since=TUESDAY, latest=TUESDAY, first_digest=False),
            "arXiv has announced no papers since the last",
        ),
        (
            dict(since=date(2026, 2, 13), latest=None, first_digest=True),
            "arXiv's latest listing holds no papers",
        ),
        (dict(since=TUESDAY, latest=TUESDAY, first_digest=False, today=SATURDAY), WEEKEND),
        (dict(since=TUESDAY, latest=TUESDAY, first_digest=False, skipped=True), WEEKEND),
        (dict(since=date(2026, 2, 13), latest=TUESDAY, first_digest=False, more=True), "No more papers"),
    ],
)
def test_each_reason(case: dict[str, object], expected: str) -> None:
    values: dict[str, object] = {"today": TUESDAY, "skipped": False, "more": False, **case}
    reason = empty_reason(**values)  # type: ignore[arg-type]
    assert expected in reason
    if case.get("first_digest"):
        assert "last digest" not in reason
