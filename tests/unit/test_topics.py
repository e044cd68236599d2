"""The topic language as a channel member meets it: what a topic selects, how it reads back,
and what the bot says when a topic can't be understood."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.paper import Paper
from bot.domain.topic_index import METADATA_WEIGHT, TITLE_WEIGHT, PaperIndex
from bot.domain.topic_parser import MAX_CHARS
from bot.domain.topics import TopicMatch, TopicSyntaxError, matched_words, parse_topic, read_topic
from tests.fixtures.seed_papers import digest_seed_papers, trending_seed_papers

TRENDING = trending_seed_papers()
DIGEST = digest_seed_papers()


def make_paper(arxiv_id: str, title: str, abstract: str = "", **fields: object) -> Paper:
    """A made-up paper, for the cases the seeds don't cover (accents, other scripts, scores)."""
    defaults: dict[str, object] = {"authors": ("Ada Author",), "categories": ("cs.LG",)}
    return replace(DIGEST[0], arxiv_id=arxiv_id, title=title, abstract=abstract, **(defaults | fields))


EXTRA = (
    make_paper(
        "2700.00001",
        "Ångström-scale flows",
        "We study diffusion of heat.",
        authors=("José Müller", "Zoë Ångström-Berg"),
        categories=("physics.flu-dyn", "math.AP"),
    ),
    make_paper("2700.00002", "Диффузионные модели", "Мы изучаем диффузию.", authors=("Иван Петров",)),
    make_paper("2700.00003", "拡散 models", "A study of 拡散.", authors=("Jose Muller",)),
)
ALL = TRENDING + DIGEST + EXTRA


def paper(title_start: str) -> Paper:
    """A seed or made-up paper by the start of its title."""
    return next(p for p in ALL if p.title.startswith(title_start))


def selected(query: str, papers: tuple[Paper, ...] = ALL) -> set[str]:
    """The ids a topic selects, checked to be the same paper by paper and through the index."""
    topic = parse_topic(query)
    one_by_one = {p.arxiv_id: m for p in papers if (m := topic.matches(p)) is not None}
    assert PaperIndex(papers).search(topic) == one_by_one
    return set(one_by_one)


def mentioning(pattern: str, papers: tuple[Paper, ...] = ALL, where: str = "both") -> set[str]:
    """The ids whose title and/or abstract match a regex: the test's own idea of relevance."""
    texts = {"ti": lambda p: p.title, "abs": lambda p: p.abstract}
    text = texts.get(where, lambda p: f"{p.title}\n{p.abstract}")
    return {p.arxiv_id for p in papers if re.search(pattern, text(p), re.IGNORECASE)}


# ---- relevance on the seeds --------------------------------------------------------------------


def test_convergence_selects_exactly_the_trending_papers_that_mention_converg() -> None:
    expected = mentioning(r"\bconverg", TRENDING)
    assert 100 < len(expected) < len(TRENDING)  # the seed answers a search for "convergence"
    assert selected("convergence", TRENDING) == expected


def test_convergence_spot_checks_by_title() -> None:
    ids = selected("convergence", TRENDING)
    assert paper("Fast Adversarial Training with Smooth Convergence").arxiv_id in ids
    assert paper("Drop-Muon: Update Less, Converge Faster").arxiv_id in ids
    assert paper("Convergent Learning: Do different neural networks").arxiv_id in ids
    assert paper("Fast Similarity Sketching").arxiv_id not in ids
    assert paper("Celo: Training Versatile Learned Optimizers").arxiv_id not in ids


def test_convergence_on_the_digest_seed() -> None:
    topic = parse_topic("convergence")
    assert topic.matches(paper("Natural Hypergradient Descent")) is not None
    for title in (
        "PRISM: Parallel Residual Iterative Sequence Model",
        "Statistical Learning Analysis of Physics-Informed Neural Networks",
    ):
        unrelated = paper(title)
        assert "converg" not in f"{unrelated.title} {unrelated.abstract}".lower()
        assert topic.matches(unrelated) is None


@pytest.mark.parametrize(
    "word", ["converge", "convergent", "converges", "converged", "Convergences", "CONVERGENCE"]
)
def test_inflections_select_the_same_papers(word: str) -> None:
    assert selected(word) == selected("convergence")


def test_cat_and_word_on_the_seeds() -> None:
    assert selected("cat:cs.LG AND diffusion", DIGEST) == set()  # no digest paper is on diffusion
    assert selected("cat:cs.LG AND diffusion", TRENDING) == mentioning(r"\bdiffus", TRENDING)
    assert selected("cat:cs.LG AND convergence", DIGEST) == {
        paper("Natural Hypergradient Descent").arxiv_id,
        paper("SCRAPL").arxiv_id,
        paper("Asymmetric Prompt Weighting").arxiv_id,
    }


def test_author_full_name_on_the_digest_seed() -> None:
    assert selected('au:"Deyi Kong"') == {paper("Natural Hypergradient Descent").arxiv_id}


# ---- words, phrases, prefixes ------------------------------------------------------------------


def test_a_phrase_needs_its_words_next_to_each_other() -> None:
    phrase, both_words = selected('"gradient descent"'), selected("gradient descent")
    assert phrase == mentioning(r"\bgradients?\W+descents?\b")
    assert phrase < both_words


def test_hyphenated_words_match_as_a_phrase() -> None:
    physics_informed = paper("Statistical Learning Analysis of Physics-Informed").arxiv_id
    assert physics_informed in selected("physics-informed")
    assert selected("physics-informed") == selected('"physics informed"')


def test_a_trailing_star_matches_words_by_prefix() -> None:
    assert selected("diffus*") == mentioning(r"\bdiffus")
    assert selected("diffusion") <= selected("diffus*")


def test_words_in_any_script_are_words() -> None:
    assert selected("Диффузионные") == {"2700.00002"}
    assert selected('ti:"диффузионные модели"') == {"2700.00002"}
    assert selected("拡散") == {"2700.00003"}


# ---- fields ------------------------------------------------------------------------------------


def test_title_and_abstract_fields() -> None:
    assert selected("ti:convergence") == mentioning(r"\bconverg", where="ti")
    assert selected("abs:convergence") == mentioning(r"\bconverg", where="abs")
    assert selected("title:convergence") == selected("ti:convergence")


def test_author_surname_versus_full_name() -> None:
    hypergradient = {paper("Natural Hypergradient Descent").arxiv_id}
    assert selected("au:Kong") == hypergradient
    assert selected("au:kong") == hypergradient
    assert selected('au:"Deyi Kong"') == hypergradient
    # Deyi Kong and Zaiwei Chen are two people: a full name must be one author's
    assert selected('au:"Deyi Chen"') == set()
    assert selected("au:Deyi au:Chen") == hypergradient
    assert selected("au:Barajas-Solano") == {paper("Statistical Learning Analysis").arxiv_id}
    assert selected("au:Lost*") == {paper("SCRAPL").arxiv_id}


def test_authors_match_without_accents_or_case() -> None:
    scrapl = {paper("SCRAPL").arxiv_id}
    assert selected("au:Lostanlen") == scrapl
    assert selected("au:LOSTANLEN") == scrapl
    assert selected("au:Muller") == {"2700.00001", "2700.00003"}
    assert selected('au:"jose müller"') == {"2700.00001", "2700.00003"}
    assert selected("au:Zoe") == selected("au:Ångström-Berg") == {"2700.00001"}
    assert selected("angstrom") == {"2700.00001"}


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("cat:math.OC", "Natural Hypergradient Descent"),
        ("cat:stat.ML", "Natural Hypergradient Descent"),  # a cross-list, primary is cs.LG
        ("cat:eess.AS", "SCRAPL"),
        ("cat:cs.SD", "SCRAPL"),
        ("cat:eess", "SCRAPL"),
        ("cat:physics.comp-ph", "Statistical Learning Analysis"),
        ("cat:PHYSICS.COMP-PH", "Statistical Learning Analysis"),
    ],
)
def test_categories_match_exactly_including_cross_lists(query: str, title: str) -> None:
    assert selected(query, DIGEST) == {paper(title).arxiv_id}


def test_category_archives() -> None:
    assert selected("cat:math.*") == selected("cat:math")
    assert selected("cat:math") == {paper("Natural Hypergradient Descent").arxiv_id, "2700.00001"}
    assert selected("cat:physics") == {paper("Statistical Learning").arxiv_id, "2700.00001"}
    assert selected("cat:cs.lg", DIGEST) == {p.arxiv_id for p in DIGEST}
    assert selected("cat:math.NA") == set()


def test_topic_categories_tell_ingest_which_listings_to_fetch() -> None:
    topic = parse_topic("cat:CS.lg OR (cat:math.* diffusion) -cat:stat.ML")
    assert topic.categories == {"cs.LG", "math"}
    assert parse_topic("convergence").categories == frozenset()


# ---- operators ---------------------------------------------------------------------------------


def test_and_or_and_implicit_and() -> None:
    diffusion, adam = selected("diffusion"), selected("adam")
    assert diffusion and adam
    assert selected("diffusion OR adam") == diffusion | adam
    assert selected("diffusion AND adam") == diffusion & adam
    assert selected("diffusion adam") == diffusion & adam
    assert selected("diffusion or adam") == selected("diffusion OR adam")
    assert selected("diffusion and adam") == selected("diffusion AND adam")


def test_precedence_not_then_and_then_or() -> None:
    diffusion, adam, stochastic = selected("diffusion"), selected("adam"), selected("stochastic")
    and_first = diffusion | (adam & stochastic)
    assert and_first != (diffusion | adam) & stochastic  # the seeds tell the two readings apart
    assert selected("diffusion OR adam stochastic") == and_first
    assert selected("diffusion OR adam AND stochastic") == and_first
    assert selected("(diffusion OR adam) stochastic") == (diffusion | adam) & stochastic
    assert selected("NOT diffusion AND stochastic") == stochastic - diffusion


@pytest.mark.parametrize(
    "query",
    [
        "convergence -diffusion",
        "convergence NOT diffusion",
        "convergence AND NOT diffusion",
        "convergence not diffusion",
        "-diffusion convergence",
    ],
)
def test_negation(query: str) -> None:
    assert selected(query) == selected("convergence") - selected("diffusion")


def test_negating_a_group_a_phrase_and_a_category() -> None:
    convergence = selected("convergence")
    assert selected("convergence -(diffusion OR adam)") == (
        convergence - selected("diffusion") - selected("adam")
    )
    assert selected('convergence -"gradient descent"') == convergence - selected('"gradient descent"')
    assert selected("convergence -cat:stat.ML", DIGEST) == {
        paper("SCRAPL").arxiv_id,
        paper("Asymmetric Prompt Weighting").arxiv_id,
    }


# ---- why it matched, and how well ----------------------------------------------------------------


def match(query: str, matching: Paper) -> TopicMatch:
    """How a topic matches a paper it must match."""
    found = parse_topic(query).matches(matching)
    assert found is not None, f"{query!r} should match {matching.title!r}"
    return found


def test_terms_say_why_a_paper_matched() -> None:
    hypergradient = paper("Natural Hypergradient Descent")
    assert match("convergence AND cat:cs.LG", hypergradient) == TopicMatch(
        topic="convergence cat:cs.LG",
        terms=("convergence", "cat:cs.LG"),
        score=TITLE_WEIGHT + METADATA_WEIGHT,  # "Convergence" is in its title, not its abstract
    )
    assert match("convergence OR diffusion", hypergradient).terms == ("convergence",)
    assert match("convergence -diffusion", hypergradient).terms == ("convergence",)
    assert match('au:"Deyi Kong" hypergradient', hypergradient).terms == (
        'au:"Deyi Kong"',
        "hypergradient",
    )


def test_a_title_hit_outranks_an_abstract_hit() -> None:
    in_title = make_paper("2700.00010", "Convergence of Adam", "We study an optimizer.")
    in_abstract = make_paper("2700.00011", "On Adam", "We prove that it converges.")
    assert match("convergence", in_title).score > match("convergence", in_abstract).score
    seed = PaperIndex(TRENDING).search(parse_topic("convergence"))
    assert (
        seed[paper("Fast Adversarial Training with Smooth Convergence").arxiv_id].score
        > seed[paper("Learned Digital Codes for Over-the-Air").arxiv_id].score
    )


def test_more_distinct_terms_score_higher_and_metadata_is_modest() -> None:
    both = make_paper("2700.00020", "Adam", "We prove convergence.")
    one = make_paper("2700.00021", "Adam", "We test it.")
    assert match("adam OR convergence", both).score > match("adam OR convergence", one).score
    only_category = match("cat:cs.LG OR convergence", one)
    assert only_category.terms == ("cat:cs.LG",)
    assert 0 < only_category.score < match("cat:cs.LG OR convergence", both).score


AGREEMENT_QUERIES = [
    "convergence",
    "converg*",
    "ti:convergence",
    "abs:convergence -ti:convergence",
    '"gradient descent"',
    'ti:"gradient descent" OR abs:"stochastic gradient"',
    '"of the"  convergence',
    "diffusion OR adam stochastic",
    "(diffusion OR adam) -stochastic",
    "convergence -(diffusion OR adam OR cat:stat.ML)",
    "cat:cs.LG",
    "cat:math OR cat:physics.comp-ph",
    "cat:eess -cat:cs.SD OR au:Kong",
    "au:Kong OR au:Lostanlen",
    'au:"Deyi Kong" OR au:"Author 7 One"',
    "au:auth* ti:learn*",
    "au:Muller OR Диффузионные OR 拡散",
    "learning (theory OR bound*) -neural",
    "physics-informed OR hypergradient",
    "theorem (convergence OR the)",
    "-cat:math convergence (sgd OR adam OR momentum)",
]


@pytest.mark.parametrize("query", AGREEMENT_QUERIES)
def test_the_index_agrees_with_matching_paper_by_paper(query: str) -> None:
    topic = parse_topic(query)
    one_by_one = {p.arxiv_id: m for p in ALL if (m := topic.matches(p)) is not None}
    assert PaperIndex(ALL).search(topic) == one_by_one


# ---- normalization -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("Convergence", "convergence"),
        ("  convergence ", "convergence"),
        ("cat:cs.LG AND Diffusion", "cat:cs.LG diffusion"),
        ("CAT:CS.lg", "cat:cs.LG"),
        ("cat:math.*", "cat:math"),
        ("cat:MATH.oc", "cat:math.OC"),
        ("cat:stat.ml", "cat:stat.ML"),
        ("cat:EESS.as", "cat:eess.AS"),
        ("cat:astro-ph.ga", "cat:astro-ph.GA"),
        ("cat:Physics.Comp-Ph", "cat:physics.comp-ph"),
        ("cat:cond-mat.Stat-Mech", "cat:cond-mat.stat-mech"),
        ('au:"Yann   LeCun"', 'au:"Yann LeCun"'),
        ('au:"LeCun"', "au:LeCun"),
        ('author:"Yann LeCun"', 'au:"Yann LeCun"'),
        ('TI:"Neural   Operator"', 'ti:"neural operator"'),
        ('"Convergence"', "convergence"),
        ("Physics-Informed", "physics-informed"),
        ("diffus*", "diffus*"),
        ("x and (y or z)", "x (y OR z)"),
        ("(x OR y) OR z", "x OR y OR z"),
        ("((x y)) z", "x y z"),
        ("convergence NOT diffusion", "convergence -diffusion"),
        ("convergence AND NOT (diffusion or flow)", "convergence -(diffusion OR flow)"),
        ("NOT NOT convergence", "convergence"),
        ("ti:(diffusion OR flow)", "ti:diffusion OR ti:flow"),
        ('"and" theorem', '"and" theorem'),
        ("\u201cneural operator\u201d", '"neural operator"'),  # a phone's curly quotes
    ],
)
def test_canonical_forms(typed: str, normalized: str) -> None:
    assert parse_topic(typed).text == normalized
    assert parse_topic(normalized).text == normalized


LEAVES = st.sampled_from(
    [
        "Convergence",
        "diffusion",
        "SGD",
        "3d",
        "Müller",
        "физика",
        "neural-operator",
        "converg*",
        '"gradient   descent"',
        '"Neural Operator"',
        "ti:Diffusion",
        "abs:flow",
        "title:adam",
        "au:LeCun",
        'au:"Yann  LeCun"',
        "cat:CS.lg",
        "cat:math.*",
        "cat:physics.comp-ph",
    ]
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pairs = st.tuples(children, children)
    return st.one_of(
        pairs.map(lambda t: f"{t[0]} AND {t[1]}"),
        pairs.map(lambda t: f"{t[0]}   {t[1]}"),
        pairs.map(lambda t: f"({t[0]} or {t[1]})"),
        pairs.map(lambda t: f"{t[0]} NOT ({t[1]})"),
        st.tuples(children, LEAVES).map(lambda t: f"{t[0]} -{t[1]}"),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(LEAVES, _combine, max_leaves=6))
def test_normalizing_is_idempotent_and_keeps_the_meaning(query: str) -> None:
    topic = parse_topic(query)
    again = parse_topic(topic.text)
    assert again.text == topic.text
    assert [again.matches(p) for p in DIGEST + EXTRA] == [topic.matches(p) for p in DIGEST + EXTRA]


# ---- limits and mistakes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "mentions"),
    [
        ("", ["Empty topic"]),
        ("   \n ", ["Empty topic"]),
        ("x" * 10_000, ["10,000 characters", "limit is 300"]),
        ('"neural operator', ["Unbalanced quote", '`"neural operator`']),
        ("(diffusion AND cat:cs.LG", ["Unbalanced parenthesis", "`(diffusion AND cat:cs.LG`"]),
        ("diffusion) OR flow", ["Unbalanced parenthesis", "`)`"]),
        ("AND diffusion", ["`AND` needs a term", "`AND diffusion`"]),
        ("diffusion OR", ["`OR` needs a term", "`diffusion OR`"]),
        ("diffusion OR AND flow", ["`OR` needs a term"]),
        ("convergence NOT", ["`NOT` needs a term after it"]),
        ("convergence -", ["`-` needs a term"]),
        ("()", ["Empty parentheses"]),
        ("diffusion () flow", ["Empty parentheses"]),
        ("foo:bar", ["Unknown field `foo:`", "ti:", "abs:", "au:", "cat:"]),
        ("ti: diffusion", ["`ti:` needs a term"]),
        ("ti:(diffusion abs:flow)", ["field can't go inside another"]),
        ("-diffusion", ["only excludes papers", "`convergence -diffusion`"]),
        ("NOT cat:cs.LG", ["only excludes papers", "`convergence -diffusion`"]),
        ("-diffusion OR -flow", ["only excludes papers"]),
        ("cat:cs.", ["`cat:cs.` isn't an arXiv category", "`cat:cs.LG`"]),
        ("cat:cs..LG", ["isn't an arXiv category"]),
        ("cat:cs.LG,math.OC", ["isn't an arXiv category"]),
        ("cat:nope.LG", ["Unknown arXiv archive `nope`", "did you mean cs.LG (Machine Learning)?"]),
        ("cat:cs.ML", ["`cs.ML` is not an arXiv category", "did you mean cs.LG", "or stat.ML"]),
        ("cat:math.XY", ["`math.XY` is not an arXiv category", "`cat:math` for all of Mathematics"]),
        ("cat:cs.LGG", ["`cs.LGG` is not an arXiv category", "did you mean cs.LG (Machine Learning)?"]),
        ("cat:physics.comp", ["did you mean physics.comp-ph (Computational Physics)?"]),
        ("cat:machine-learning", ["cs.LG (Machine Learning) or stat.ML (Machine Learning)"]),
        ("cat:hep", ["Unknown arXiv archive `hep`", "hep-ex (High Energy Physics - Experiment)"]),
        ("@everyone", ["`@everyone` is a mention", "`convergence`"]),
        ("diffusion @here", ["`@here` is a mention"]),
        ("<!channel> diffusion", ["`<!channel>` is a mention"]),
        ("<@U024BE7LH> diffusion", ["`<@U024BE7LH>` is a mention"]),
        ("<@&123456789> diffusion", ["`<@&123456789>` is a mention"]),
        ("au:@lecun", ["`@lecun` is a mention"]),
        ("diffusion @ scale", ["`@` has no letters or digits"]),
        ("con\x00vergence", ["control character (U+0000) at position 4"]),
        ("diffusion \x1b[31m", ["control character (U+001B)"]),
        ("diffusion \ud800", ["broken character (U+D800)"]),
        (" ".join(f"ti:q{c}z:r{c}z" for c in "abcdefghijklmnopqrstuvwxyz"), ["is 337 characters"]),
        ("İ" * 200, ["Written out in full", "the limit is 300"]),
        ("cat:", ["`cat:` needs a term", "`cat:cs.LG`"]),
        ("🚀", ["`🚀` has no letters or digits"]),
        ("diffusion 🚀✨", ["`🚀✨` has no letters or digits"]),
        ("diffusion || flow", ["`||` has no letters or digits", "OR"]),
        ("the", ["only common words"]),
        ("the OR of", ["only common words"]),
        ("d*", ["`*` needs one word of 3+ letters"]),
        ("(" * 9 + "diffusion" + ")" * 9, ["limit of 8"]),
        (" ".join(f"w{n}" for n in range(31)), ["limit is 30"]),
    ],
)
def test_mistakes_get_a_helpful_one_line_message(typed: str, mentions: list[str]) -> None:
    with pytest.raises(TopicSyntaxError) as caught:
        parse_topic(typed)
    message = str(caught.value)
    for fragment in mentions:
        assert fragment in message
    assert "e.g. `" in message  # an example of a topic that works
    assert "\n" not in message


def test_limits_are_inclusive() -> None:
    assert parse_topic('"' + "x" * 298 + '"')  # 300 characters
    assert parse_topic(" ".join(f"w{n}" for n in range(30)))
    assert parse_topic("(" * 8 + "diffusion" + ")" * 8).text == "diffusion"
    assert parse_topic("the convergence").text == "the convergence"  # common words with others


@pytest.mark.parametrize(
    "typed",
    [
        "'; DROP TABLE subscriptions; --",
        "Robert'); DROP TABLE students;--",
        "1 OR 1=1",
        '" OR ""="',
        "convergence' OR '1'='1",
    ],
)
def test_sql_looking_input_is_just_text(typed: str) -> None:
    try:
        topic = parse_topic(typed)
    except TopicSyntaxError as error:
        assert "e.g. `" in str(error)
    else:
        assert isinstance(PaperIndex(ALL).search(topic), dict)


def test_sql_is_refused_for_its_punctuation_and_its_words_are_only_words() -> None:
    with pytest.raises(TopicSyntaxError, match="`';` has no letters or digits"):
        parse_topic("'; DROP TABLE subscriptions; --")
    assert parse_topic("DROP TABLE subscriptions").text == "drop table subscriptions"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_or_raises_topic_syntax_error(typed: str) -> None:
    try:
        topic = parse_topic(typed)
    except TopicSyntaxError as error:
        assert "e.g. `" in str(error) and "\n" not in str(error)
    else:
        assert parse_topic(topic.text).text == topic.text
        assert len(topic.text) <= MAX_CHARS


QUERY_NOISE = st.sampled_from([*'"()-*: xé🚀\n', "AND", "or", "NOT", "ti:", "cat:", "au:", "cs.LG"])


@settings(max_examples=500, deadline=None)
@given(st.lists(QUERY_NOISE, max_size=25))
def test_query_like_noise_parses_or_raises_topic_syntax_error(parts: list[str]) -> None:
    try:
        topic = parse_topic("".join(parts))
    except TopicSyntaxError:
        return
    assert parse_topic(topic.text).text == topic.text
    assert len(topic.text) <= MAX_CHARS


# Pieces whose written-out form is longer than what was typed: a word with a colon is quoted,
# some letters lowercase to two characters; and pieces a database refuses.
GROWING = st.sampled_from(
    [
        "ti:ab:cd",
        "abs:x:y",
        "au:a:b",
        "İ",
        "ǅ",
        "ﬁ",
        "ß",
        "cat:CS.lg",
        "  ",
        " OR ",
        "(",
        ")",
        "\x00",
        "@x",
        "x",
    ]
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(GROWING, min_size=1, max_size=120).map("".join))
def test_an_accepted_topic_is_stored_in_a_form_that_parses_again_and_fits(typed: str) -> None:
    try:
        topic = parse_topic(typed)
    except TopicSyntaxError as error:
        assert "e.g. `" in str(error) and "\n" not in str(error)
        return
    assert parse_topic(topic.text).text == topic.text
    assert read_topic(topic.text).text == topic.text
    assert len(topic.text) <= MAX_CHARS
    assert "\x00" not in topic.text


def colon_terms(n: int) -> str:
    """n distinct terms like `ti:qaz:raz`, each two characters longer written out: `ti:"qaz:raz"`."""
    return " ".join(f"ti:q{chr(97 + i)}z:r{chr(97 + i)}z" for i in range(n))


def test_a_topic_is_measured_as_it_is_written_out() -> None:
    assert (len(colon_terms(23)), len(parse_topic(colon_terms(23)).text)) == (252, 298)
    with pytest.raises(TopicSyntaxError, match="is 311 characters; the limit is 300"):
        parse_topic(colon_terms(24))  # 263 typed


# ---- repeats, equivalents, stored topics -------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalized", "repeats"),
    [
        ("convergence convergence", "convergence", ("convergence",)),
        ("Convergence AND convergence", "convergence", ("convergence",)),
        ("converge convergence", "converge", ("convergence",)),
        ("diffusion OR flow OR diffusion", "diffusion OR flow", ("diffusion",)),
        ("(diffusion OR flow) (flow OR diffusion)", "diffusion OR flow", ("flow OR diffusion",)),
        ("convergence -adam -adam", "convergence -adam", ("-adam",)),
        ("cat:cs.LG cat:CS.lg", "cat:cs.LG", ("cat:cs.LG",)),
        ("convergence", "convergence", ()),
    ],
)
def test_a_repeated_term_counts_once_and_is_reported(
    typed: str, normalized: str, repeats: tuple[str, ...]
) -> None:
    topic = parse_topic(typed)
    assert (topic.text, topic.repeats) == (normalized, repeats)
    assert selected(typed) == selected(normalized)


def test_topics_that_select_the_same_papers_share_a_key() -> None:
    same = ["convergence", "converge", "Convergences", "convergence convergence", '"convergence"']
    assert len({parse_topic(t).key for t in same}) == 1
    assert parse_topic("diffusion flow").key == parse_topic("flow AND diffusion").key
    assert parse_topic("diffusion OR flow").key == parse_topic("flow OR diffusion").key
    assert parse_topic("diffusion flow").key != parse_topic("diffusion OR flow").key
    assert parse_topic("transformer").key != parse_topic("transform").key
    assert parse_topic('"gradient descent"').key != parse_topic("gradient descent").key


def test_a_topic_stored_before_categories_were_checked_still_reads_but_asks_arxiv_nothing() -> None:
    stored = read_topic("cat:cs.ML OR convergence")
    assert stored.text == "cat:cs.ML OR convergence"
    assert stored.categories == frozenset()  # an unknown class would fail the shared listing
    assert selected("convergence") == {p.arxiv_id for p in ALL if stored.matches(p)}
    assert read_topic("cat:cs.lg OR cat:hep-th").categories == {"cs.LG", "hep-th"}
    with pytest.raises(TopicSyntaxError, match="not an arXiv category"):
        parse_topic(stored.text)


def test_archives_and_real_classes_stay_valid() -> None:
    for typed in ("cat:math.*", "cat:math", "cat:hep-th", "cat:astro-ph", "cat:q-bio.NC", "cat:econ.EM"):
        assert parse_topic(typed).text == typed.removesuffix(".*")
    assert parse_topic("cat:math.mp").text == "cat:math.MP"  # arXiv's alias of math-ph
    assert parse_topic("cat:cmp-lg").text == "cat:cmp-lg"  # a retired archive the feed still knows


# ---- what "Matched:" shows ---------------------------------------------------------------------


def shown(query: str, matching: Paper) -> tuple[str, ...]:
    """The words a digest shows for why a paper matched a topic."""
    return matched_words(parse_topic(query), match(query, matching), matching)


def test_matched_shows_the_papers_own_words() -> None:
    iterates = make_paper("2700.00030", "Iterates converge", "A convergent scheme; it converges.")
    assert shown("convergence", iterates) == ("converge", "convergent", "converges")
    assert shown("ti:convergence", iterates) == ("converge",)
    assert shown("converg*", iterates) == ("converge", "convergent", "converges")
    assert shown("convergence cat:cs.LG", iterates) == ("converge", "convergent", "converges", "cat:cs.LG")
    hypergradient = paper("Natural Hypergradient Descent")
    assert shown('au:"Deyi Kong" hypergradient', hypergradient) == ('au:"Deyi Kong"', "hypergradient")
    descents = make_paper("2700.00031", "Gradients descent fast", "Stochastic gradient descents.")
    assert shown('"gradient descent"', descents) == ("gradients descent", "gradient descents")
    learning = make_paper("2700.00032", "Learnable", "learn learns learned learning learner learners")
    # Title words first, then the abstract's, each alphabetically; five at most.
    assert shown("learn*", learning) == ("learnable", "learn", "learned", "learner", "learners")
