"""How choosy a channel's digest is: `settings quality normal`, `high`, or a chance such as `0.7`.

Once a channel has a model learned from its votes, each paper has a chance of a 👍. `normal`
shows the best papers above the model's own floor; `high` only those above the channel's learned
cut (the chance that best served its precision so far); a number only those at least that likely.
Before a model exists every setting gives today's word ranking: there is nothing to cut on yet.
"""

from __future__ import annotations

from dataclasses import dataclass

LOWEST_CUT = 0.05
HIGHEST_CUT = 0.99
EXAMPLE = "`settings quality high`, `settings quality normal` or `settings quality 0.7`"


class QualityError(ValueError):
    """A quality setting that does not read; the message says what would."""


@dataclass(frozen=True, slots=True)
class Quality:
    """`normal`, `high` (the learned cut) or a fixed chance of a 👍 between 0.05 and 0.99."""

    high: bool = False
    cut: float | None = None

    @property
    def text(self) -> str:
        """How it is stored and shown: `normal`, `high` or `0.7`."""
        if self.cut is not None:
            return f"{self.cut:g}"
        return "high" if self.high else "normal"

    @property
    def is_normal(self) -> bool:
        """True for the default: the model's own floor."""
        return not self.high and self.cut is None


NORMAL = Quality()


def parse_quality(text: str) -> Quality:
    """Read `normal`, `high`, `0.7` or `70%`; a clear error with an example otherwise."""
    word = text.strip().lower()
    if word in {"", "normal", "default", "off", "all"}:
        return NORMAL
    if word in {"high", "best", "fewer"}:
        return Quality(high=True)
    number = word.removesuffix("%")
    try:
        value = float(number)
    except ValueError:
        raise QualityError(f"`{text.strip()[:40]}` is not a quality. Try {EXAMPLE}.") from None
    if word.endswith("%") or value > 1:
        value /= 100
    if not LOWEST_CUT <= value <= HIGHEST_CUT:
        raise QualityError(
            f"A quality is a chance of a 👍 between {LOWEST_CUT:g} and {HIGHEST_CUT:g} "
            f"(or 5% to 99%). Try {EXAMPLE}."
        )
    return Quality(cut=round(value, 2))


def read_stored_quality(text: str | None) -> Quality:
    """A stored setting; one that no longer reads is `normal` (it only ever narrows a digest)."""
    try:
        return parse_quality(text or "")
    except QualityError:
        return NORMAL
