"""Why a digest is empty, in words that are true for the channel that reads them."""

from __future__ import annotations

from datetime import date, timedelta

SATURDAY, SUNDAY = 5, 6
WEEKEND = (
    "Nothing new today: arXiv announces no new papers on Saturdays and Sundays. "
    "The next listing comes on Monday (Sunday evening US Eastern time)."
)


def empty_reason(
    *,
    today: date,
    since: date,
    latest: date | None,
    skipped: bool,
    first_digest: bool,
    more: bool,
    behind: bool = False,
) -> str:
    """The reason shown for a digest with no papers.

    `since`: papers announced after it were looked at; `latest`: arXiv's newest announcement day
    stored; `skipped`: arXiv said it announces nothing today; `first_digest`: the channel never had
    one (so there is no "last digest" to speak of); `more`: the `more` command found nothing left;
    `behind`: arXiv's listing for today had not come out (a note beside the reason says so).
    """
    if behind:
        return "Nothing new yet."
    start = f"{since + timedelta(days=1):%a %d %b}"
    if more:
        return (
            f"No more papers: every paper announced since {start} that matches this channel's "
            "topics has been posted here."
        )
    if latest is None or latest <= since:
        if today.weekday() in (SATURDAY, SUNDAY) or skipped:
            return WEEKEND
        if latest is None:
            return "Nothing yet: arXiv's latest listing holds no papers in the categories Paperboy reads."
        return "Nothing new yet: arXiv has announced no papers since the last digest."
    if first_digest:
        return f"Nothing announced since {start} matched this channel's topics."
    return "Nothing new matched this channel's topics since the last digest."
