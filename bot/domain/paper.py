"""A paper as Paperboy knows it: arXiv metadata, version-free id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

ABS_URL = "https://arxiv.org/abs/{}"
PDF_URL = "https://arxiv.org/pdf/{}"


@dataclass(frozen=True, slots=True)
class Paper:
    """One arXiv paper at its latest known version."""

    arxiv_id: str
    version: int
    title: str
    authors: tuple[str, ...]
    abstract: str
    categories: tuple[str, ...]
    primary_category: str
    published: datetime
    updated: datetime
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    announced: date | None = None
    # False when built from the RSS listing alone: arXiv's API had not got it yet (it lags the feed).
    complete: bool = True

    @property
    def versioned_id(self) -> str:
        """The id with its version, as arXiv prints it: `2602.10905v2`."""
        return f"{self.arxiv_id}v{self.version}"

    @property
    def abs_url(self) -> str:
        """The abstract page, without version so it always shows the latest."""
        return ABS_URL.format(self.arxiv_id)

    @property
    def pdf_url(self) -> str:
        """The PDF of the version we know."""
        return PDF_URL.format(self.versioned_id)
