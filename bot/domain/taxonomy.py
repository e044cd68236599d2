"""arXiv's subject taxonomy, shipped as data: which `cat:` names are real, and the nearest real ones.

arXiv's feed answers HTTP 400 to a whole request when one class in it is unknown, so a topic may
only name archives and categories that arXiv has. The table (`arxiv_taxonomy.tsv`, generated from
arXiv's own definitions by `scripts/update_arxiv_taxonomy.py`) is read on first use, not at import.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

TAXONOMY_URL = "https://arxiv.org/category_taxonomy"

# What people call a field when it is not arXiv's id for it; looked up by the part after the dot.
_NICKNAMES: dict[str, tuple[str, ...]] = {
    "ml": ("cs.LG", "stat.ML"),
    "dl": ("cs.LG",),
    "rl": ("cs.LG",),
    "nlp": ("cs.CL",),
    "nn": ("cs.NE", "cs.LG"),
    "qc": ("quant-ph",),
    "quantum": ("quant-ph",),
    "opt": ("math.OC",),
    "optimization": ("math.OC",),
    "statistics": ("stat",),
    "vision": ("cs.CV",),
}


@dataclass(frozen=True, slots=True)
class Subject:
    """An archive (`math`, `hep-th`) or a category (`math.OC`) as arXiv lists it."""

    id: str
    name: str
    archive: bool
    active: bool


@dataclass(frozen=True, slots=True)
class _Table:
    archives: dict[str, Subject]  # by lowercase id
    categories: dict[str, Subject]  # by lowercase id; archive-wide classes like `hep-th` too


@cache
def _table() -> _Table:
    archives: dict[str, Subject] = {}
    categories: dict[str, Subject] = {}
    text = files("bot.domain").joinpath("arxiv_taxonomy.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, ident, name, active, _now = line.split("\t")
        subject = Subject(ident, name, kind == "archive", active == "1")
        (archives if subject.archive else categories)[ident.lower()] = subject
    return _Table(archives, categories)


def archive(name: str) -> Subject | None:
    """The archive of this name (any case), if arXiv has one."""
    return _table().archives.get(name.lower())


def category(name: str) -> Subject | None:
    """The category of this id (any case), if arXiv has one."""
    return _table().categories.get(name.lower())


def categories_of(archive_id: str) -> list[Subject]:
    """The active categories of an archive, in arXiv's order."""
    prefix = archive_id.lower() + "."
    return [s for key, s in _table().categories.items() if key.startswith(prefix) and s.active]


def nearest(typed: str, limit: int = 3) -> list[Subject]:
    """The real archives and categories someone typing `typed` most likely meant."""
    table = _table()
    active = [s for s in (*table.archives.values(), *table.categories.values()) if s.active]
    low = typed.lower()
    subject_part = low.rsplit(".", 1)[-1]
    found: list[Subject] = []

    def add(subjects: list[Subject]) -> None:
        found.extend(s for s in subjects if s not in found)

    # A nickname, or arXiv's own class name under another archive (`cs.ML` -> `stat.ML`).
    nicknamed = _NICKNAMES.get(subject_part, ())
    add([s for ident in nicknamed if (s := category(ident) or archive(ident)) is not None])
    add([s for s in active if not s.archive and s.id.lower().rsplit(".", 1)[-1] == subject_part])
    if not found and len(low) >= 2:  # the start of an id (`hep`, `cond-mat.stat`)
        add([s for s in active if s.id.lower().startswith(low)])
    if not found:  # a typo of an id (`cs.LGG`, `physics.comp`)
        ids = {s.id.lower(): s for s in active}
        add([ids[i] for i in difflib.get_close_matches(low, ids, n=limit, cutoff=0.75)])
    if not found:  # a name instead of an id (`machine-learning`, `cat:optics`)
        words = " ".join(subject_part.replace("-", " ").replace("_", " ").split())
        names: dict[str, list[Subject]] = {}
        for s in active:
            names.setdefault(s.name.lower(), []).append(s)
        for name in difflib.get_close_matches(words, names, n=limit, cutoff=0.75):
            add(names[name])
        if len(words) >= 4:
            add([s for s in active if f" {words} " in f" {s.name.lower()} "])
    return found[:limit]
