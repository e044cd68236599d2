"""What a digest item offers to mute: exact, parseable mutes of its matched words, authors, categories."""

from __future__ import annotations

from bot.domain.mute_choices import MAX_CHOICE_CHARS, MuteChoice, MuteKind, mute_choices
from bot.domain.mutes import parse_mute
from bot.domain.topics import parse_topic
from tests.fakes.arxiv_papers import make_paper

PAPER = make_paper(
    "2602.90201",
    title="Convergence of stochastic bilevel methods",
    abstract="We prove that hypergradient iterates converge.",
    authors=("Jane Doe", "José Müller", "A. One (MIT)", "Fourth Author"),
    categories=("math.OC", "cs.LG"),
)
HOSTILE_AUTHORS = (
    "@everyone",
    "<!channel> Mallory",
    "Very " * 60 + "Long",  # 305 characters
)


def texts(choices: tuple[MuteChoice, ...]) -> list[str]:
    """The mute texts offered, in order."""
    return [choice.text for choice in choices]


def test_an_item_offers_its_matched_topic_words_first_authors_and_categories() -> None:
    topics = [parse_topic("convergence OR diffusion"), parse_topic("ti:bilevel cat:math.OC")]
    offered = mute_choices(PAPER, topics)
    assert texts(offered) == [
        "convergence",  # `diffusion` did not match this paper: not offered
        "ti:bilevel",
        'au:"Jane Doe"',
        'au:"José Müller"',
        'au:"A. One MIT"',  # only the first three authors
        "cat:math.OC",
        "cat:cs.LG",
    ]
    assert [c.kind for c in offered][:3] == [MuteKind.WORD, MuteKind.WORD, MuteKind.AUTHOR]
    for choice in offered:  # each one is exactly what `mute` takes, and it removes this paper
        mute = parse_mute(choice.text)
        assert mute.text == choice.text
        assert mute.silences(PAPER)


def test_terms_already_muted_are_left_out_however_they_were_written() -> None:
    topics = [parse_topic("convergence")]
    offered = texts(mute_choices(PAPER, topics, muted=["converges", 'au:"jane doe"', "cat:math.OC"]))
    assert offered == ['au:"José Müller"', 'au:"A. One MIT"', "cat:cs.LG"]


def test_a_topic_that_does_not_match_the_paper_offers_none_of_its_words() -> None:
    offered = texts(mute_choices(PAPER, [parse_topic("convergence -bilevel")]))
    assert not any(text in offered for text in ("convergence", "bilevel"))


def test_hostile_names_and_categories_never_become_pings_and_overlong_ones_are_left_out() -> None:
    paper = make_paper(
        "2602.90202",
        title="Hostile convergence",
        abstract="Nothing here.",
        authors=HOSTILE_AUTHORS,
        categories=("cs.LG", "cs.XX <!channel>", "@here"),
    )
    offered = texts(mute_choices(paper, [parse_topic("convergence")]))
    assert offered == ["convergence", "au:everyone", 'au:"channel Mallory"', "cat:cs.LG"]
    for text in offered:
        assert len(text) <= MAX_CHOICE_CHARS
        assert not set(text) & set("<>@`[]()|&")
        assert parse_mute(text).silences(paper)
