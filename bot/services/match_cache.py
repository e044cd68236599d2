"""The day's candidate papers, indexed once, and each topic's matches, shared by every channel."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.mutes import Mute
from bot.domain.paper import Paper
from bot.domain.topic_index import Nearness, PaperIndex
from bot.domain.topics import Topic, TopicMatch


@dataclass(frozen=True, slots=True)
class Matched:
    """A channel's matched papers and their summed scores, with what ranking them needs.

    It keeps its own references to the batch it came from, so it stays valid if the cache moves on.
    """

    scores: dict[str, float]
    topics: tuple[Topic, ...]
    per_topic: tuple[dict[str, TopicMatch], ...]  # each topic's matches, in `topics` order
    papers: Mapping[str, Paper]
    order: Mapping[str, int]  # newest first, then by id: the tie-break among equal scores
    since: date | None = None  # papers announced after this day are new to the channel
    muted: frozenset[str] = frozenset()  # papers of the batch the channel's mutes remove


# A similarity search: the candidates close to a semantic topic's seeds and meanings, among the
# papers given (those passing its filter). Without one, `like:` and `~` topics match nothing.
NearFinder = Callable[[Topic, Mapping[str, Paper]], Mapping[str, Nearness]]


class MatchCache:
    """Matches of each distinct topic over the candidate papers, shared by every channel.

    Thousands of channels follow overlapping topics; each topic is evaluated once per batch of
    papers, not once per channel. The batch is every paper announced after the earliest day any
    channel asked from, so channels that have read up to different days share it too.
    """

    def __init__(self, near: NearFinder | None = None) -> None:
        self._near = near
        self._stamp: object = None
        self.since: date | None = None
        self.papers: dict[str, Paper] = {}
        self.order: dict[str, int] = {}
        self._index: PaperIndex | None = None
        self._matches: dict[str, dict[str, TopicMatch]] = {}
        self._scores: dict[str, dict[str, float]] = {}
        self._muted: dict[str, frozenset[str]] = {}

    def load(self, stamp: object, since: date, papers: Sequence[Paper]) -> None:
        """Use this batch of papers (those announced after `since`), dropping older results."""
        self._stamp, self.since = stamp, since
        self.papers = {p.arxiv_id: p for p in papers}
        newest = sorted(papers, key=lambda p: (-p.published.timestamp(), p.arxiv_id))
        self.order = {p.arxiv_id: n for n, p in enumerate(newest)}
        self._index = PaperIndex(papers)
        self._matches = {}
        self._scores = {}
        self._muted = {}

    def covers(self, stamp: object, since: date) -> bool:
        """True when the cached batch is current and holds every paper announced after `since`."""
        return stamp == self._stamp and self.since is not None and self.since <= since

    def match(self, topic: Topic) -> dict[str, TopicMatch]:
        """The papers this topic selects, computed once per batch."""
        found = self._matches.get(topic.text)
        if found is None:
            assert self._index is not None
            close = None
            if topic.is_semantic and self._near is not None:
                passing = self._index.passing(topic)
                close = self._near(topic, {a: p for a, p in self.papers.items() if a in passing})
            found = self._index.search(topic, close)
            self._matches[topic.text] = found
            self._scores[topic.text] = {arxiv_id: m.score for arxiv_id, m in found.items()}
        return found

    def scores(self, topic: Topic) -> dict[str, float]:
        """The topic's score for each paper it selects."""
        found = self._scores.get(topic.text)
        if found is None:
            self.match(topic)
            found = self._scores[topic.text]
        return found

    def muted(self, mutes: Sequence[Mute]) -> set[str]:
        """The papers of the batch that any of these mutes removes, each mute computed once."""
        found: set[str] = set()
        for mute in mutes:
            ids = self._muted.get(mute.text)
            if ids is None:
                assert self._index is not None
                ids = self._muted[mute.text] = self._index.having(mute.term)
            found |= ids
        return found
