"""arXiv's taxonomy as the bot ships it: every class a topic may name, and the nearest real ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.domain import taxonomy
from bot.domain.topics import parse_topic

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_holds_arxivs_archives_and_classes_with_their_names() -> None:
    for ident, name in [
        ("cs.LG", "Machine Learning"),
        ("stat.ML", "Machine Learning"),
        ("math.OC", "Optimization and Control"),
        ("physics.comp-ph", "Computational Physics"),
        ("cond-mat.stat-mech", "Statistical Mechanics"),
        ("q-fin.CP", "Computational Finance"),
        ("econ.EM", "Econometrics"),
    ]:
        found = taxonomy.category(ident.lower())
        assert found is not None and (found.id, found.name) == (ident, name)
    for archive in ("cs", "math", "hep-th", "astro-ph", "cond-mat", "q-bio", "eess"):
        assert taxonomy.archive(archive) is not None
    assert taxonomy.category("cs.ML") is None and taxonomy.category("math.XY") is None
    assert taxonomy.archive("test") is None  # arXiv's own test archive is left out
    assert len(taxonomy.categories_of("math")) == 32


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("cs.ML", ["cs.LG", "stat.ML"]),
        ("cs.LGG", ["cs.LG"]),
        ("LG", ["cs.LG"]),
        ("cs.NLP", ["cs.CL"]),
        ("physics.comp", ["physics.comp-ph"]),
        ("machine-learning", ["cs.LG", "stat.ML"]),
        ("optics", ["physics.optics"]),
        ("quantum", ["quant-ph"]),
    ],
)
def test_a_mistyped_class_finds_the_real_ones(typed: str, meant: list[str]) -> None:
    assert [s.id for s in taxonomy.nearest(typed)][: len(meant)] == meant


def test_nothing_near_is_nothing_suggested() -> None:
    assert taxonomy.nearest("math.XY") == []
    assert taxonomy.nearest("zzzz") == []


def test_every_category_the_docs_show_is_one_a_channel_can_follow() -> None:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    # Placeholders like `x AND cat:y` in docs/scale.md have one letter and are not meant as topics.
    shown = {
        m for doc in docs for m in re.findall(r"`[^`]*?(cat:[a-z][a-z-]+(?:\.[A-Za-z*-]+)?)", doc.read_text())
    }
    assert "cat:cs.LG" in shown and "cat:math.*" in shown
    for topic in shown:
        assert parse_topic(topic)
