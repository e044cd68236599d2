"""What a newly typed topic must pass besides the grammar: plain text, no pings, real arXiv classes.

Topics stored by an older version are read without these checks (see `read_topic`), so a channel
keeps the topics it has; new ones are held to them, with a one-line answer saying what to type.
"""

from __future__ import annotations

import re
import unicodedata

from bot.domain import taxonomy

# `@everyone`, `@here`, `@name` (not the `@` inside an e-mail address), and the wire forms Slack
# (`<!channel>`, `<@U123>`, `<#C1|x>`) and Discord (`<@123>`, `<@&123>`, `<#123>`) send.
_MENTION = re.compile(r"(?<![\w@])@[^\s()\"]+|<[@!#][^>\s]*>?")
_EXAMPLE_WORDS = "e.g. `convergence` or `au:LeCun`"


def unfit_text(text: str) -> tuple[str, int] | None:
    """Why `text` can't be a topic as typed (a control character, a mention), and where."""
    for position, char in enumerate(text):
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") and not char.isspace():
            what = "a control character" if category == "Cc" else "a broken character"
            return (
                f"The topic holds {what} (U+{ord(char):04X}) at position {position + 1}; type it"
                f" again as plain text, {_EXAMPLE_WORDS}",
                position,
            )
    if (mention := _MENTION.search(text)) is not None:
        shown = mention.group().replace("`", "'")[:30]
        return (
            f"`{shown}` is a mention, and a topic is what papers say, not who to notify; type the"
            f" words to follow, {_EXAMPLE_WORDS}",
            mention.start(),
        )
    return None


def unknown_archive(archive: str, typed: str) -> str:
    """The answer to `cat:<typed>` when arXiv has no archive `archive` (`typed`'s first part)."""
    near = _did_you_mean(typed) or (
        f"; {taxonomy.TAXONOMY_URL} lists them all, e.g. `cat:cs.LG` or `cat:math`"
    )
    return f"Unknown arXiv archive `{archive}`{near}"


def unknown_category(archive: str, subject: str) -> str:
    """The answer to `cat:<archive>.<subject>` when the archive has no such category."""
    typed = f"{archive}.{subject}"
    if near := _did_you_mean(typed):
        return f"`{typed}` is not an arXiv category{near}"
    known = taxonomy.archive(archive)
    name = known.name if known else archive
    first = next(iter(taxonomy.categories_of(archive)), None)
    example = f"`cat:{archive}` for all of {name}" + (f", or `cat:{first.id}`" if first else "")
    return (
        f"`{typed}` is not an arXiv category; {taxonomy.TAXONOMY_URL} lists {archive}'s"
        f" categories, e.g. {example}"
    )


def _did_you_mean(typed: str) -> str:
    near = taxonomy.nearest(typed)
    if not near:
        return ""
    names = [f"{s.id} ({s.name})" for s in near]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f"; did you mean {listed}? e.g. `cat:{near[0].id}`"
