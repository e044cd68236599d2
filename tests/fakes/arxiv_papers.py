"""The fake arXiv's catalogue: the seed papers plus the edge cases real arXiv throws at us."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.domain.paper import Paper
from tests.fixtures.seed_papers import SEED_DAY, digest_seed_papers, trending_seed_papers

OLD_STYLE_ID = "hep-th/9901001"
CROSS_LIST_ID = "2602.90001"  # primary math.OC, also cs.LG: a cross-list under cs.LG
REPLACED_ID = "2602.90002"  # version 2, announced as a replacement
UNICODE_ID = "2602.90003"
MENTIONS_ID = "2602.90004"  # abstract tries to ping a whole chat channel
LATEX_ID = "2602.90005"


def _at(year: int, month: int, day: int, hour: int = 18) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def make_paper(
    arxiv_id: str,
    *,
    title: str,
    abstract: str,
    version: int = 1,
    authors: tuple[str, ...] = ("Ada Lovelace",),
    categories: tuple[str, ...] = ("cs.LG",),
    primary_category: str | None = None,
    published: datetime = SEED_DAY,
    updated: datetime | None = None,
    **overrides: Any,
) -> Paper:
    """A paper for a test; unless told, its primary category is its first and `updated` is `published`."""
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        authors=authors,
        abstract=abstract,
        categories=categories,
        primary_category=categories[0] if primary_category is None else primary_category,
        published=published,
        updated=published if updated is None else updated,
        **overrides,
    )


def edge_papers() -> tuple[tuple[Paper, str | None], ...]:
    """Papers with awkward ids, versions, text and listings, each with its announce type."""
    return (
        (
            make_paper(
                OLD_STYLE_ID,
                title="Dualities of a toy string model",
                authors=("A. N. Old",),
                abstract="We revisit a toy model of string dualities from the last century.",
                categories=("hep-th",),
                published=_at(1999, 1, 4),
                journal_ref="Phys. Lett. B 999 (1999) 1-10",
            ),
            None,  # not in today's listing: a 1999 paper
        ),
        (
            make_paper(
                CROSS_LIST_ID,
                title="Bilevel programs with nonconvex lower levels",
                authors=("Maria Optima", "Jun Descent"),
                abstract="We study bilevel optimization when the lower level is nonconvex.",
                categories=("math.OC", "cs.LG"),
                published=_at(2026, 2, 11, 17),
                comment="12 pages, 3 figures",
                doi="10.1000/fake.90001",
            ),
            "new",  # listed as "cross" under cs.LG, "new" under math.OC
        ),
        (
            make_paper(
                REPLACED_ID,
                version=2,
                title="Adaptive step sizes, revisited",
                authors=("Reva Ised",),
                abstract="A corrected proof of convergence for adaptive step sizes.",
                published=_at(2026, 1, 20),
                updated=SEED_DAY,
                comment="v2: fixed Lemma 3",
            ),
            "replace",
        ),
        (
            make_paper(
                UNICODE_ID,
                title="Schrödinger bridges and Γ-convergence — a naïve view",
                authors=("Zoë Ångström", "Łukasz Żółw"),
                abstract="We relate Schrödinger bridges to Γ-convergence of entropic costs.",
                categories=("stat.ML", "math.PR"),
                published=_at(2026, 2, 11, 16),
            ),
            "new",
        ),
        (
            make_paper(
                MENTIONS_ID,
                title="Robust chat summaries <!channel>",
                authors=("Eve Ryone",),
                abstract="Attention <!channel> and @everyone: <script>alert(1)</script> "
                "a study of prompt injection in summaries.",
                categories=("cs.LG", "cs.CL"),
                published=_at(2026, 2, 11, 15),
            ),
            "new",
        ),
        (
            make_paper(
                LATEX_ID,
                title=r"Convergence of $\alpha$-stable SGD",
                authors=("Al Pha",),
                abstract=r"We show SGD with $\alpha$-stable noise converges at rate "
                r"$O(1/\sqrt{T})$ for $\alpha \in (1, 2]$.",
                categories=("math.OC", "stat.ML"),
                published=_at(2026, 2, 11, 14),
            ),
            "new",
        ),
    )


def default_papers() -> tuple[tuple[Paper, str | None], ...]:
    """Everything the fake serves unless told otherwise, with announce types."""
    seeds = tuple((p, "new") for p in (*digest_seed_papers(), *trending_seed_papers()))
    return seeds + edge_papers()
