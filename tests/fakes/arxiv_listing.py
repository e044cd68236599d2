"""What arXiv's feed server (github.com/arXiv/arxiv-feed) does with `/rss/<a+b+c>`, for the fake.

Each rule cites the feed server's source, read at its newest commit (110b5ab):
- `validate_request` (`feed/fetch_data.py`) checks every part of `a+b+c` against arXiv's taxonomy
  and raises `FeedIndexerError` at the first bad one; `routes._feed` serialises that error as an
  RSS document with HTTP 400, so one unknown class fails the whole request.
- `get_announce_papers` (`feed/database.py`) lists each paper once, as `new` or `replace` when its
  primary category was asked for (an archive asks for all its classes), else `cross` or
  `replace-cross`; it orders replace-cross, replace, cross, new (then id descending), cuts at
  `result_limit = 2000`, and feedgen prepends each entry, so the feed prints the survivors in the
  opposite order: new first. An overflowing listing loses its new papers first.
- `get_records_from_db` reads the announcements dated `get_arxiv_midnight()`, today's midnight in
  `ARXIV_BUSINESS_TZ` (America/New_York), and `routes._feed` caches the answer until the next
  Eastern midnight: the listing turns at midnight US Eastern.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from bot.domain.paper import Paper
from tests.fakes.arxiv_taxonomy import ARCHIVES, CATEGORIES

FEED_ITEM_LIMIT = 2000
# `listing_order` in get_announce_papers: the database's order before the cut.
_DATABASE_ORDER = {"replace-cross": 1, "replace": 2, "cross": 3, "new": 4}
SATURDAY = 5


class BadFeedRequest(ValueError):
    """What `validate_request` raises; the message is arxiv-feed's own wording."""


def validate(categories: Sequence[str], retired: Iterable[str] = ()) -> None:
    """Raise as `validate_request` does for the first part arXiv does not know.

    `retired` holds classes arXiv has dropped since a channel subscribed to them.
    """
    gone = {c.lower() for c in retired}
    if not categories or any(not c.strip() for c in categories):
        raise BadFeedRequest(
            f"Invalid archive specification '{'+'.join(categories)}'. Correct format is one or more "
            "archive names delimited by '+'."
        )
    for category in categories:
        parts = category.split(".")
        if len(parts) > 2:
            raise BadFeedRequest(
                f"Bad archive/subject class structure '{category}'. Valid names include an archive, "
                "possibly followed by a single period and subject class."
            )
        archive = parts[0].lower()
        if archive not in ARCHIVES or (len(parts) == 1 and archive in gone):
            raise BadFeedRequest(
                f"Bad archive '{archive}'. Valid archive names are: {', '.join(sorted(ARCHIVES))}."
            )
        if len(parts) == 2 and not _known_class(archive, parts[1], gone):
            classes = sorted(c for c in CATEGORIES if c.startswith(f"{archive}."))
            raise BadFeedRequest(
                f"Bad subject class '{parts[1]}'. Valid subject classes for the archive '{archive}' "
                f"are: {', '.join(classes)}."
            )


def _known_class(archive: str, subject: str, gone: set[str]) -> bool:
    names = {f"{archive}.{subject.upper()}", f"{archive}.{subject.lower()}"}
    return bool(names & CATEGORIES) and not {n.lower() for n in names} & gone


def asks_for(requested: Sequence[str], category: str) -> bool:
    """Whether a request names this category, itself or through its archive."""
    wanted = {c.lower() for c in requested}
    return category.lower() in wanted or category.split(".")[0].lower() in wanted


def listing_type(paper: Paper, action: str, requested: Sequence[str]) -> str:
    """`new`/`replace` where the paper's primary category was asked for, else the cross forms."""
    primary = asks_for(requested, paper.primary_category)
    if action in ("new", "cross"):
        return "new" if primary and action == "new" else "cross"
    return "replace" if primary and action == "replace" else "replace-cross"


def select(
    announced: Iterable[tuple[Paper, str]], requested: Sequence[str], limit: int = FEED_ITEM_LIMIT
) -> list[tuple[Paper, str]]:
    """The feed's items for a request: matching papers typed, ordered, cut, printed new first."""
    items = [
        (paper, listing_type(paper, action, requested))
        for paper, action in announced
        if any(asks_for(requested, c) for c in paper.categories)
    ]
    items.sort(key=lambda item: item[0].arxiv_id, reverse=True)
    items.sort(key=lambda item: _DATABASE_ORDER[item[1]])
    return list(reversed(items[:limit]))


def previous_announcement_day(day: date) -> date:
    """The weekday before `day`: what a feed that has not turned yet still shows."""
    day -= timedelta(days=1)
    while day.weekday() >= SATURDAY:
        day -= timedelta(days=1)
    return day
