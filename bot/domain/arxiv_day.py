"""arXiv's day: its listing turns at midnight US Eastern, whatever the time zone of a channel."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

ARXIV_TZ = ZoneInfo("America/New_York")


def arxiv_today(now: datetime) -> date:
    """The announcement day arXiv's feed shows once it has turned: the date in US Eastern time."""
    return now.astimezone(ARXIV_TZ).date()


def arxiv_midnight(now: datetime) -> datetime:
    """When arXiv's current day began: the last midnight US Eastern."""
    return datetime.combine(arxiv_today(now), time(0), tzinfo=ARXIV_TZ)
