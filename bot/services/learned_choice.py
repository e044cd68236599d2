"""A channel's digest by its learned ranking, once its members' votes have taught it.

The model may choose among the channel's new papers, not only its word matches: a paper its
words missed joins when the model is confident (see `bot.relevance.ranking.choose`). What it may
choose is what the channel could get at all: announced since its read mark, not delivered, not
muted, and, where every topic names categories (`cat:cs.LG AND diffusion`), in those categories:
the model reads text and authors, never categories.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from bot.domain.channel import ChannelState
from bot.domain.digest import MatchReason
from bot.domain.paper import Paper
from bot.domain.topics import Topic, matched_words
from bot.ports import Relevance
from bot.services.match_cache import Matched

Ranked = tuple[Paper, float, tuple[MatchReason, ...]]


def word_reasons(matched: Matched, arxiv_id: str) -> tuple[MatchReason, ...]:
    """The topics that selected the paper, each with the words that made it match."""
    paper = matched.papers[arxiv_id]
    return tuple(
        MatchReason(m.topic, matched_words(topic, m, paper))
        for topic, per in zip(matched.topics, matched.per_topic, strict=True)
        if (m := per.get(arxiv_id))
    )


def choose_learned(
    relevance: Relevance,
    pk: int,
    channel: ChannelState,
    matched: Matched,
    delivered: AbstractSet[str],
) -> tuple[list[Ranked], int] | None:
    """The channel's papers in its model's order and how many more it would show; None without a model."""
    if not relevance.ranks(pk):
        return None
    excluded = delivered | matched.muted if matched.muted else delivered
    cap = channel.max_papers
    found = relevance.rank(
        pk, matched.scores, excluded, cap, channel.quality, since=matched.since, scope=_scope(matched.topics)
    )
    if found is None:
        return None
    ranked, more = found
    chosen = [
        (
            matched.papers[r.arxiv_id],
            r.chance,
            word_reasons(matched, r.arxiv_id) if r.arxiv_id in matched.scores else _learned(r.reason),
        )
        for r in ranked
    ]
    return chosen, more


def _learned(reason: str) -> tuple[MatchReason, ...]:
    return (MatchReason(reason or "close to what this channel liked", (), learned=True),)


def _scope(topics: Sequence[Topic]) -> frozenset[str] | None:
    """The categories every topic keeps to, or None when some topic reads every category."""
    if not topics or any(not topic.categories for topic in topics):
        return None
    return frozenset().union(*(topic.categories for topic in topics))
