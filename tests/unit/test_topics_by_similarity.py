"""`like:` and `~` topics: how they are written, what they say is wrong, and what their filter keeps.

The domain decides no closeness: a similarity search hands `PaperIndex.search` its candidates,
here as plain numbers, and the index keeps those that pass the topic's words and categories.
"""

from __future__ import annotations

import pytest

from bot.domain.paper import Paper
from bot.domain.topic_index import Nearness, PaperIndex
from bot.domain.topics import TopicSyntaxError, matched_words, parse_topic, read_topic
from tests.fakes.arxiv_papers import make_paper

GNN = make_paper(
    "2602.00001",
    title="Message passing graph networks",
    abstract="We train on graphs.",
    categories=("cs.LG",),
)
SURVEY = make_paper(
    "2602.00002", title="A survey of graph learning", abstract="We review graphs.", categories=("cs.LG",)
)
VISION = make_paper(
    "2602.00003", title="Graph networks for images", abstract="Pixels as graphs.", categories=("cs.CV",)
)
FAR = make_paper("2602.00004", title="Dark matter halos", abstract="Cosmology.", categories=("astro-ph.CO",))
PAPERS = (GNN, SURVEY, VISION, FAR)


def near(*papers: Paper, label: str) -> dict[str, Nearness]:
    """What a similarity search would hand over: each paper closer than the next."""
    return {p.arxiv_id: Nearness(1.0 - n / 10, label) for n, p in enumerate(papers)}


@pytest.mark.parametrize(
    ("typed", "stored", "seeds", "meanings"),
    [
        ("like:2602.10905", "like:2602.10905", ("2602.10905",), ()),
        ("like:2602.10905v3", "like:2602.10905", ("2602.10905",), ()),
        ("like:https://arxiv.org/abs/2602.10905", "like:2602.10905", ("2602.10905",), ()),
        ("LIKE:hep-th/9901001", "like:hep-th/9901001", ("hep-th/9901001",), ()),
        (
            "like:2602.10905 OR like:2601.00001",
            "like:2602.10905 OR like:2601.00001",
            ("2602.10905", "2601.00001"),
            (),
        ),
        (
            "like:(2602.10905 OR 2601.00001)",
            "like:2602.10905 OR like:2601.00001",
            ("2602.10905", "2601.00001"),
            (),
        ),
        ("~convergence", "~convergence", (), ("convergence",)),
        ('~"Convergence  rates of SGD"', '~"convergence rates of sgd"', (), ("convergence rates of sgd",)),
        ("~\u201cgraph networks\u201d", '~"graph networks"', (), ("graph networks",)),
        ("~or", '~"or"', (), ("or",)),
        (
            '~"graph neural networks" cat:cs.LG -survey',
            '~"graph neural networks" cat:cs.LG -survey',
            (),
            ("graph neural networks",),
        ),
        (
            "cat:cs.LG (like:2602.10905 OR ~gnn)",
            "cat:cs.LG (like:2602.10905 OR ~gnn)",
            ("2602.10905",),
            ("gnn",),
        ),
    ],
)
def test_seeds_and_meanings_are_read_and_written_back_so_they_read_again(
    typed: str, stored: str, seeds: tuple[str, ...], meanings: tuple[str, ...]
) -> None:
    topic = parse_topic(typed)
    assert topic.text == stored
    assert topic.is_semantic
    assert (topic.seeds, topic.meanings) == (seeds, meanings)
    again = read_topic(topic.text)
    assert again.text == stored and again.key == topic.key


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("like:", "`like:` needs a term right after it — e.g. `like:2602.10905`"),
        ("like: 2602.10905", "`like:` needs a term right after it — e.g. `like:2602.10905`"),
        (
            "like:diffusion",
            "`like:` needs an arXiv id, and `diffusion` is not one (it matches none of the accepted"
            " forms) — e.g. `like:2602.10905`",
        ),
        ("like:2602.1090", "is not one"),
        ('like:"graph networks"', "`like:` needs an arXiv id"),
        ("~", '`~` needs words right after it — e.g. `~"graph neural networks"` or `~convergence`'),
        ("~ convergence", "`~` needs words right after it"),
        ('~"convergence', "Unbalanced quote"),
        (
            '~"!!"',
            'has no letters or digits after `~` to take a meaning from — e.g. `~"graph neural networks"`',
        ),
        ("~gnn OR diffusion", "puts a `like:` paper or `~` meaning in an OR with words"),
        (
            "like:2602.10905 OR like:2601.00001 cat:cs.LG",
            "group several papers in parentheses, e.g. `(like:2602.10905 OR like:2601.00001) cat:cs.LG`",
        ),
        (
            "diffusion -like:2602.10905",
            "excludes a `like:` paper or a `~` meaning; `-` and NOT exclude only words",
        ),
        ("diffusion NOT ~gnn", "excludes a `like:` paper or a `~` meaning"),
        (
            "like:2602.10905 like:2601.00001",
            "close to several things at once; join them with OR — e.g. `like:2602.10905 OR like:2601.00001`",
        ),
        ("~gnn like:2602.10905", "join them with OR"),
        ("ti:~gnn", "is not"),  # a field takes words: `~gnn` after it is a plain word, not a meaning
        ("ti:(~gnn)", "A `~` meaning can't go inside a field"),
    ],
)
def test_a_misplaced_or_malformed_seed_or_meaning_is_refused_with_an_example(typed: str, says: str) -> None:
    if typed == "ti:~gnn":  # as today: a field's word loses its edges, and stays a word topic
        assert not parse_topic(typed).is_semantic and parse_topic(typed).text == "ti:gnn"
        return
    with pytest.raises(TopicSyntaxError) as caught:
        parse_topic(typed)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_word_topics_are_unchanged_and_have_no_seeds() -> None:
    topic = parse_topic("convergence -diffusion")
    assert topic.text == "convergence -diffusion" and not topic.is_semantic
    assert (topic.seeds, topic.meanings, topic.filter) == ((), (), topic.expression)
    assert parse_topic("likelihood").text == "likelihood"  # a word that begins like a field
    # A word in the middle of which stands a `~` is still that word.
    assert parse_topic("a~b").text == "a~b"


def test_a_semantic_topic_only_excluding_words_is_fine_a_word_topic_so_is_not() -> None:
    assert parse_topic("~gnn -survey").filter is not None
    with pytest.raises(TopicSyntaxError, match="only excludes papers"):
        parse_topic("-survey")


def test_the_index_keeps_the_close_papers_that_pass_the_filter_scored_by_closeness() -> None:
    index = PaperIndex(PAPERS)
    topic = parse_topic('~"graph neural networks" cat:cs.LG -survey')
    assert index.search(topic) == {}  # no similarity search, no candidates
    close = near(SURVEY, VISION, GNN, FAR, label='~"graph neural networks"')
    found = index.search(topic, close)
    assert set(found) == {GNN.arxiv_id}  # VISION is not in cs.LG, SURVEY says survey, FAR is cs.CO
    match = found[GNN.arxiv_id]
    assert match.terms[0] == '~"graph neural networks"'
    assert match.score >= close[GNN.arxiv_id].score
    assert matched_words(topic, match, GNN)[0] == '~"graph neural networks"'
    assert index.passing(topic) == {GNN.arxiv_id}
    assert topic.passes(GNN) and not topic.passes(SURVEY) and not topic.passes(VISION)
    assert topic.matches(GNN) is None  # one paper alone can't say how close it is


def test_a_seed_topic_without_a_filter_keeps_every_close_paper_and_ranks_by_closeness() -> None:
    index = PaperIndex(PAPERS)
    topic = parse_topic("like:2602.10905")
    close = near(VISION, GNN, label="like:2602.10905")
    found = index.search(topic, close | {"2699.99999": Nearness(0.9, "like:2602.10905")})
    assert set(found) == {VISION.arxiv_id, GNN.arxiv_id}  # an id not in the batch is ignored
    assert found[VISION.arxiv_id].score > found[GNN.arxiv_id].score
    assert index.passing(topic) == {p.arxiv_id for p in PAPERS}


def test_word_filters_add_their_score_and_name_their_words() -> None:
    index = PaperIndex(PAPERS)
    topic = parse_topic("~gnn graph")
    found = index.search(topic, near(GNN, FAR, label="~gnn"))
    assert set(found) == {GNN.arxiv_id}
    assert found[GNN.arxiv_id].terms == ("~gnn", "graph")
    assert matched_words(topic, found[GNN.arxiv_id], GNN) == ("~gnn", "graph", "graphs")


def test_same_seeds_in_another_order_are_the_same_topic() -> None:
    one = parse_topic("like:2602.10905 OR like:2601.00001")
    two = parse_topic("like:2601.00001v2 OR like:2602.10905")
    assert one.key == two.key
    assert parse_topic("~gnn").key != parse_topic("gnn").key


def test_a_topic_that_grows_past_the_limit_once_written_out_is_refused_before_it_is_stored() -> None:
    # `like:(a OR b ...)` is short to type, and each id gains `like:` once written out in full.
    ids = [f"2602.{10900 + n}" for n in range(20)]
    typed = f"like:({' OR '.join(ids)})"
    assert len(typed) <= 300
    with pytest.raises(TopicSyntaxError, match=r"Written out in full .* the limit is 300"):
        parse_topic(typed)
    fits = parse_topic(f"like:({' OR '.join(ids[:10])})")
    assert len(fits.text) <= 300 and read_topic(fits.text).seeds == tuple(ids[:10])
