"""Reading the listing of many categories when arXiv refuses some or cuts the answer.

arXiv's feed server answers HTTP 400 for a whole `a+b+c` request when one part is unknown, and
stops a feed at 2,000 items after ordering replacements before new papers (so an overflowing
listing loses new papers first). One request for the union is the normal day; a refused request
is split until the refused categories are found (the reason usually names the first one, which
saves the halving), and a full answer is split until no part is full: into a few parts balanced
by what the full answer showed of each category (arXiv cuts it by id, whatever the category).
"""

from __future__ import annotations

import logging
import re
from collections import Counter, deque
from collections.abc import Callable, Sequence

from bot.domain.listing import Listing, merge_parts

log = logging.getLogger(__name__)

# arxiv-feed's `result_limit` in `get_announce_papers` (feed/database.py).
FEED_ITEM_LIMIT = 2000
# A full answer is read again in this many parts: up to about four times arXiv's cap in one round.
SPLIT_WAYS = 4

_BAD_CLASS = re.compile(r"Bad subject class '(?P<subject>[^']*)'.*?archive '(?P<archive>[^']*)'", re.DOTALL)
_BAD_ARCHIVE = re.compile(r"Bad archive '(?P<archive>[^']*)'")
_BAD_STRUCTURE = re.compile(r"structure '(?P<category>[^']*)'")


class ListingRefused(Exception):
    """arXiv answered 400 to a listing request; `reason` is what its feed server said."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_in_parts(read: Callable[[list[str]], Listing], categories: Sequence[str], cap: int) -> Listing:
    """The listing of `categories`: one request when arXiv takes it whole, more when it must.

    `read(part)` makes one request (raising ListingRefused on a 400). The answer merges every
    part that could be read; `refused` names what arXiv would not take, with its reason.
    """
    queue: deque[list[str]] = deque([without_covered(categories)])
    parts: list[Listing] = []
    refused: dict[str, str] = {}
    requests = 0
    while queue:
        part = queue.popleft()
        requests += 1
        try:
            listing = read(part)
        except ListingRefused as error:
            bad = named_in(error.reason, part) or (part if len(part) == 1 else [])
            if not bad:
                queue.extend(halves(part))
                continue
            refused.update((category, error.reason) for category in bad)
            if rest := [c for c in part if c not in bad]:
                queue.append(rest)
            continue
        full = len(listing.entries) >= cap
        if full and len(part) > 1:
            log.info("arXiv's listing of %s is full (%d items): reading it in smaller parts",
                     _label(part), len(listing.entries))  # fmt: skip
            queue.extend(balanced_parts(part, listing, SPLIT_WAYS))
            continue
        if full:
            log.warning("arXiv's listing of %s alone is full (%d items): papers past arXiv's cap "
                        "are lost; topics that name its classes are read whole", part[0], cap)  # fmt: skip
        parts.append(listing)
    for category, reason in refused.items():
        log.warning(
            "arXiv refuses the category %s (HTTP 400: %s); the other categories are read", category, reason
        )
    if len(parts) > 1:
        log.info("read arXiv's listing in %d parts with %d requests", len(parts), requests)
    return merge_parts(parts, refused, requests)


def without_covered(categories: Sequence[str]) -> list[str]:
    """The categories, sorted, without classes whose whole archive is asked for too (`math`
    lists `math.OC` already)."""
    wanted = {c for c in categories if c}
    archives = {c.lower() for c in wanted if "." not in c}
    return sorted(c for c in wanted if "." not in c or c.split(".")[0].lower() not in archives)


def named_in(reason: str, part: Sequence[str]) -> list[str]:
    """The categories of `part` that arXiv's refusal names (it names the first bad one)."""
    if found := _BAD_CLASS.search(reason):
        wanted = f"{found['archive']}.{found['subject']}".lower()
        return [c for c in part if c.lower() == wanted]
    if found := _BAD_ARCHIVE.search(reason):
        return [c for c in part if c.split(".")[0].lower() == found["archive"].lower()]
    if found := _BAD_STRUCTURE.search(reason):
        return [c for c in part if c == found["category"]]
    return []


def balanced_parts(part: Sequence[str], full: Listing, ways: int) -> list[list[str]]:
    """`part` in up to `ways` groups of about equal size, judged by the items a full answer showed.

    arXiv cuts an overflowing listing by paper id, which has nothing to do with category, so what
    survived the cut shows how the whole listing spreads over the categories.
    """
    weight: Counter[str] = Counter()
    wanted = {c.lower(): c for c in part}
    for entry in full.entries:
        for category in set(entry.categories) | {c.split(".")[0] for c in entry.categories}:
            if (asked := wanted.get(category.lower())) is not None:
                weight[asked] += 1
    groups: list[list[str]] = [[] for _ in range(min(ways, len(part)))]
    sizes = [0] * len(groups)
    for category in sorted(part, key=lambda c: (-weight[c], c)):
        lightest = min(range(len(groups)), key=lambda n: (sizes[n], len(groups[n])))
        groups[lightest].append(category)
        sizes[lightest] += max(weight[category], 1)
    return [sorted(group) for group in groups if group]


def halves(part: Sequence[str]) -> list[list[str]]:
    """Two parts of a sorted category list, cut between archives when that is near the middle."""
    middle = len(part) / 2
    archives = [c.split(".")[0] for c in part]
    cuts = [i for i in range(1, len(part)) if archives[i] != archives[i - 1]]
    cut = min(cuts, key=lambda i: abs(i - middle), default=len(part) // 2)
    if abs(cut - middle) > len(part) / 4:
        cut = len(part) // 2
    return [list(part[:cut]), list(part[cut:])]


def _label(part: Sequence[str]) -> str:
    return "+".join(part) if len(part) <= 6 else f"{'+'.join(part[:6])}+... ({len(part)} categories)"
