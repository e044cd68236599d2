"""Votes as values: one member's 👍 or 👎 on one paper in one channel, and how a channel's are doing.

A weak 👍 is what a member implies by opening "Explain" on a digest item or asking in its thread:
a real vote replaces a weak one, a weak one never replaces a real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

UP = 1
DOWN = -1
FIGURES_WINDOW_DAYS = 30


class VoteChange(StrEnum):
    """What recording a vote did to the member's vote on that paper."""

    NEW = "new"  # no vote before (or only a weak one, replaced by a real one)
    CHANGED = "changed"  # a real vote turned around
    SAME = "same"  # the same vote again: nothing to change
    KEPT = "kept"  # a weak 👍 where a real vote stands: the real one stays


@dataclass(frozen=True, slots=True)
class ChannelVote:
    """One member's vote as the ranking reads it: the paper, +1 or -1, and whether it is weak."""

    arxiv_id: str
    value: int
    weak: bool


@dataclass(frozen=True, slots=True)
class VoteFigures:
    """How a channel's ranking is doing: the share of 👍 among its voted items, and its votes.

    `voted_items` and `liked_items` count papers with a real vote in the last 30 days (an item is
    liked when its real 👍 outnumber its 👎); `votes` and `weak_votes` count every vote kept.
    """

    voted_items: int = 0
    liked_items: int = 0
    votes: int = 0
    weak_votes: int = 0

    @property
    def share_up(self) -> float | None:
        """The share of 👍 among voted items, None before any."""
        return self.liked_items / self.voted_items if self.voted_items else None

    def describe(self) -> str:
        """One line for `settings` and `paperboy relevance`."""
        weak = f", plus {self.weak_votes} weak 👍 (Explain or a thread question)" if self.weak_votes else ""
        votes = f"{self.votes} vote{'s' if self.votes != 1 else ''} from members{weak}"
        share = self.share_up
        if share is None:
            return f"no voted items in the last {FIGURES_WINDOW_DAYS} days; {votes}"
        items = f"{self.voted_items} voted item{'s' if self.voted_items != 1 else ''}"
        return f"{share:.0%} 👍 of {items} in the last {FIGURES_WINDOW_DAYS} days; {votes}"


@dataclass(frozen=True, slots=True)
class RankingStatus:
    """How a channel's learned ranking stands, for `settings`: the votes it learned from, its cut."""

    votes: int  # real votes (weak 👍 not counted) its model learned from; 0 without a model
    needed: int  # real votes a model needs before it ranks
    quality_cut: float | None = None  # the learned `quality high` cut, None without a model

    def describe(self) -> str:
        """`learns from 14 votes; quality high shows papers above a 62% chance of a 👍`, or what it needs."""
        if self.quality_cut is None:
            return f"ranks by the topics' words until members cast {self.needed} 👍/👎 votes"
        return (
            f"learned from {self.votes} votes; `quality high` shows only papers above "
            f"a {self.quality_cut:.0%} chance of a 👍"
        )
