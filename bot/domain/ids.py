"""arXiv identifiers in every form people paste, reduced to one canonical value."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.paper import ABS_URL, PDF_URL

ACCEPTED_FORMS = (
    "2602.10905, 2602.10905v2, arXiv:2602.10905, hep-th/9901001, "
    "https://arxiv.org/abs/2602.10905, https://arxiv.org/pdf/2602.10905, 10.48550/arXiv.2602.10905"
)
MAX_INPUT_CHARS = 300
_QUOTE_CHARS = 60

# Archives of the old scheme (1991-2007), current and retired, so `foo/1234567` is not an id.
OLD_ARCHIVES = frozenset(
    {
        "hep-th",
        "hep-ph",
        "hep-ex",
        "hep-lat",
        "gr-qc",
        "astro-ph",
        "cond-mat",
        "quant-ph",
        "math",
        "math-ph",
        "nlin",
        "nucl-th",
        "nucl-ex",
        "physics",
        "cs",
        "q-bio",
        "q-fin",
        "stat",
        "alg-geom",
        "chao-dyn",
        "solv-int",
        "patt-sol",
        "adap-org",
        "comp-gas",
        "dg-ga",
        "funct-an",
        "q-alg",
        "mtrl-th",
        "supr-con",
        "chem-ph",
        "atom-ph",
        "acc-phys",
        "ao-sci",
        "bayes-an",
        "plasm-ph",
        "cmp-lg",
    }
)

# Deliberately loose: anything shaped like an id matches, and _read says what is wrong with it.
_NEW = r"(?P<yymm>\d{4})\.(?P<num>\d{4,5})"
_OLD = r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[a-z]{2})?/(?P<old_yymm>\d{4})(?P<old_num>\d{3})"
_FORM = (
    r"(?:(?P<url>(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)"
    r"|(?P<doi>(?:https?://(?:dx\.)?doi\.org/)?10\.48550/arxiv\.)"
    r"|arxiv:\s*)?"
    rf"(?:{_NEW}|{_OLD})(?:v(?P<version>\d+))?"
    r"(?(url)(?:\.pdf)?/?(?:[?#][^\s|<>]*)?)"
)
_FLAGS = re.IGNORECASE | re.ASCII
_WHOLE = re.compile(_FORM, _FLAGS)
_IN_TEXT = re.compile(rf"(?<![\w./-]){_FORM}(?!\w)", _FLAGS)


def _quote(text: str, limit: int = _QUOTE_CHARS) -> str:
    """Show a user's input on one line, without backticks, cut to `limit` characters."""
    flat = " ".join(text.split()).replace("`", "'")
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class InvalidArxivId(ValueError):
    """Text that is not an arXiv id; the message says why and shows the accepted forms."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        subject = f"`{_quote(text)}` is not an arXiv id" if text.strip() else "No arXiv id given"
        super().__init__(f"{subject}: {reason}. Accepted forms: {ACCEPTED_FORMS}")


@dataclass(frozen=True, slots=True)
class ArxivId:
    """One arXiv paper, optionally at one version; `base` is canonical and version-free."""

    base: str
    version: int | None = None

    def versioned(self) -> str:
        """The id as arXiv prints it: with `vN` when a version is known."""
        return self.base if self.version is None else f"{self.base}v{self.version}"

    def __str__(self) -> str:
        return self.versioned()

    @property
    def abs_url(self) -> str:
        """The abstract page, without version so it always shows the latest."""
        return ABS_URL.format(self.base)

    @property
    def pdf_url(self) -> str:
        """The PDF of the version named, or the latest when none was."""
        return PDF_URL.format(self.versioned())


def _read(match: re.Match[str]) -> ArxivId | str:
    """Turn a loose match into an id, or into the reason it cannot be one."""
    version = match["version"]
    if version is not None and int(version) == 0:
        return "versions start at v1"
    if version is not None and match["doi"] is not None:
        return "a DOI never carries a version"
    if match["yymm"] is not None:
        yymm, num = match["yymm"], match["num"]
        base = f"{yymm}.{num}"
    else:
        yymm, num = match["old_yymm"], match["old_num"]
        archive = match["archive"].lower()
        base = f"{archive}/{yymm}{num}"
        if archive not in OLD_ARCHIVES:
            return f"`{_quote(archive, 20)}` is not an arXiv archive"
        if 7 < int(yymm[:2]) < 91:
            return "old-style ids (like hep-th/9901001) run from 1991 to 2007"
    month = int(yymm[2:])
    if not 1 <= month <= 12:
        return f"month {yymm[2:]} does not exist"
    if int(num) == 0:
        return f"there is no paper number {num}"
    if match["yymm"] is not None:
        if yymm < "0704":
            return "new-style ids start in April 2007 (0704); older ones look like hep-th/9901001"
        if len(num) == 5 and yymm < "1501":
            return "before 2015 the number after the dot has four digits, like 1412.1234"
        if len(num) == 4 and yymm >= "1501":
            return "from 2015 on the number after the dot has five digits, like 2602.10905"
    return ArxivId(base, None if version is None else int(version))


def parse_arxiv_id(text: str) -> ArxivId:
    """Read one id or arXiv link typed by a person, so every form names the same paper."""
    stripped = text.strip()
    if not stripped:
        raise InvalidArxivId(text, "the text is empty")
    if len(stripped) > MAX_INPUT_CHARS:
        raise InvalidArxivId(text, f"it is longer than any id or link ({MAX_INPUT_CHARS} chars)")
    inner = stripped.strip("<>").split("|", 1)[0].strip()
    match = _WHOLE.fullmatch(inner)
    if match is None:
        raise InvalidArxivId(text, "it matches none of the accepted forms")
    result = _read(match)
    if isinstance(result, str):
        raise InvalidArxivId(text, result)
    return result


def find_arxiv_ids(text: str) -> list[ArxivId]:
    """Every valid id or arXiv link in a chat message, in order, once per paper."""
    found: dict[str, ArxivId] = {}
    for match in _IN_TEXT.finditer(text):
        result = _read(match)
        if isinstance(result, ArxivId):
            found.setdefault(result.base, result)
    return list(found.values())
