"""arXiv ids: every pasted form parses to one value, impossible ids are refused with a reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.ids import (
    MAX_INPUT_CHARS,
    OLD_ARCHIVES,
    ArxivId,
    InvalidArxivId,
    find_arxiv_ids,
    parse_arxiv_id,
)

RIGHT_FORM = "2602.10905"


@pytest.mark.parametrize(
    ("text", "base", "version"),
    [
        ("2602.10905", "2602.10905", None),
        ("2602.10905v2", "2602.10905", 2),
        ("2602.10905V2", "2602.10905", 2),
        ("  2602.10905v12\n", "2602.10905", 12),
        ("<2602.10905>", "2602.10905", None),
        ("0704.0001", "0704.0001", None),
        ("1412.9999v3", "1412.9999", 3),
        ("1501.00001", "1501.00001", None),
        ("arXiv:2602.10905", "2602.10905", None),
        ("ARXIV:2602.10905v1", "2602.10905", 1),
        ("arxiv: 2602.10905", "2602.10905", None),
        ("hep-th/9901001", "hep-th/9901001", None),
        ("hep-th/9901001v2", "hep-th/9901001", 2),
        ("HEP-TH/9901001", "hep-th/9901001", None),
        ("math.GT/0309136", "math/0309136", None),
        ("cond-mat/0102536", "cond-mat/0102536", None),
        ("q-bio/0401001", "q-bio/0401001", None),
        ("alg-geom/9108001", "alg-geom/9108001", None),
        ("arXiv:math.GT/0309136v1", "math/0309136", 1),
        ("https://arxiv.org/abs/2602.10905", "2602.10905", None),
        ("http://arxiv.org/abs/2602.10905v2", "2602.10905", 2),
        ("https://www.arxiv.org/abs/2602.10905", "2602.10905", None),
        ("https://export.arxiv.org/abs/2602.10905", "2602.10905", None),
        ("arxiv.org/abs/2602.10905", "2602.10905", None),
        ("https://arxiv.org/abs/2602.10905?context=cs", "2602.10905", None),
        ("https://arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001", 1),
        ("https://arxiv.org/pdf/2602.10905", "2602.10905", None),
        ("https://arxiv.org/pdf/2602.10905v2", "2602.10905", 2),
        ("https://arxiv.org/pdf/2602.10905v2.pdf", "2602.10905", 2),
        ("https://arxiv.org/pdf/math.GT/0309136.pdf", "math/0309136", None),
        ("https://arxiv.org/html/2602.10905v2", "2602.10905", 2),
        ("https://arxiv.org/html/2602.10905v2/", "2602.10905", 2),
        ("https://arxiv.org/html/2602.10905v2#S3.SS1", "2602.10905", 2),
        ("https://arxiv.org/html/2602.10905v2/#S3", "2602.10905", 2),
        ("<https://arxiv.org/abs/2602.10905v2>", "2602.10905", 2),
        ("<https://arxiv.org/abs/2602.10905v2|a paper>", "2602.10905", 2),
        ("10.48550/arXiv.2602.10905", "2602.10905", None),
        ("10.48550/ARXIV.2602.10905", "2602.10905", None),
        ("https://doi.org/10.48550/arXiv.2602.10905", "2602.10905", None),
        ("https://dx.doi.org/10.48550/arXiv.0704.0001", "0704.0001", None),
        ("10.48550/arXiv.hep-th/9901001", "hep-th/9901001", None),
    ],
)
def test_accepted_forms(text: str, base: str, version: int | None) -> None:
    assert parse_arxiv_id(text) == ArxivId(base, version)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2613.12345", "month 13 does not exist"),
        ("2600.12345", "month 00 does not exist"),
        ("1412.12345", "four digits"),
        ("1501.1234", "five digits"),
        ("0703.1234", "April 2007"),
        ("2602.10905v0", "v1"),
        ("2602.00000", "no paper number"),
        ("10.48550/arXiv.2602.10905v2", "DOI never carries a version"),
        ("foo/1234567", "`foo` is not an arXiv archive"),
        ("hep-th/0812001", "1991 to 2007"),
        ("hep-th/9913001", "month 13"),
        ("hep-th/9901000", "no paper number"),
        ("", "empty"),
        ("   ", "empty"),
        ("https://example.org/abs/2602.10905", "matches none"),
        ("2602.10905 and more", "matches none"),
        ("https://arxiv.org/list/cs.AI/recent", "matches none"),
        ("a paper about cats", "matches none"),
    ],
)
def test_rejected_forms_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidArxivId) as caught:
        parse_arxiv_id(text)
    assert reason in str(caught.value)
    assert RIGHT_FORM in str(caught.value)


def test_message_quotes_the_input() -> None:
    with pytest.raises(InvalidArxivId) as caught:
        parse_arxiv_id("2613.12345")
    assert str(caught.value).startswith(
        "`2613.12345` is not an arXiv id: month 13 does not exist. Accepted forms: 2602.10905,"
    )


def test_over_long_input_is_refused_without_echoing_it() -> None:
    text = "2602.10905" + "x" * MAX_INPUT_CHARS
    with pytest.raises(InvalidArxivId) as caught:
        parse_arxiv_id(text)
    message = str(caught.value)
    assert "longer than" in message
    assert "x" * 61 not in message


def test_str_and_urls() -> None:
    paper = ArxivId("2602.10905", 2)
    assert str(paper) == paper.versioned() == "2602.10905v2"
    assert str(ArxivId("hep-th/9901001")) == "hep-th/9901001"
    assert paper.abs_url == "https://arxiv.org/abs/2602.10905"
    assert paper.pdf_url == "https://arxiv.org/pdf/2602.10905v2"
    assert ArxivId("2602.10905").pdf_url == "https://arxiv.org/pdf/2602.10905"


YYMM_NEW = [f"{y:02d}{m:02d}" for y in range(7, 100) for m in range(1, 13) if (y, m) >= (7, 4)]


@st.composite
def new_style_ids(draw: st.DrawFn) -> ArxivId:
    yymm = draw(st.sampled_from(YYMM_NEW))
    digits = 4 if yymm < "1501" else 5
    number = draw(st.integers(1, 10**digits - 1))
    version = draw(st.none() | st.integers(1, 999))
    return ArxivId(f"{yymm}.{number:0{digits}d}", version)


def textual_forms(paper: ArxivId) -> list[str]:
    text = str(paper)
    forms = [
        text,
        f"  {text}\t",
        f"<{text}>",
        f"arXiv:{text}",
        f"ARXIV:{text}",
        f"https://arxiv.org/abs/{text}",
        f"http://www.arxiv.org/abs/{text}?context=cs",
        f"https://export.arxiv.org/abs/{text}",
        f"https://arxiv.org/pdf/{text}",
        f"https://arxiv.org/pdf/{text}.pdf",
        f"https://arxiv.org/html/{text}",
        f"https://arxiv.org/html/{text}/",
        f"https://arxiv.org/html/{text}#S2",
        f"<https://arxiv.org/abs/{text}|label>",
    ]
    if paper.version is None:
        forms += [f"10.48550/arXiv.{text}", f"https://doi.org/10.48550/arXiv.{text}"]
    return forms


@given(new_style_ids())
def test_every_form_of_a_new_style_id_parses_back(paper: ArxivId) -> None:
    for form in textual_forms(paper):
        assert parse_arxiv_id(form) == paper, form
    assert str(parse_arxiv_id(str(paper))) == str(paper)


@given(
    st.sampled_from(sorted(OLD_ARCHIVES)),
    st.sampled_from([*range(91, 100), *range(8)]),
    st.integers(1, 12),
    st.integers(1, 999),
    st.none() | st.integers(1, 99),
)
def test_old_style_ids_round_trip(
    archive: str, year: int, month: int, number: int, version: int | None
) -> None:
    paper = ArxivId(f"{archive}/{year:02d}{month:02d}{number:03d}", version)
    assert parse_arxiv_id(str(paper)) == paper
    assert parse_arxiv_id(f"https://arxiv.org/pdf/{paper}.pdf") == paper


@st.composite
def impossible_ids(draw: st.DrawFn) -> tuple[str, str]:
    kind = draw(st.sampled_from(["month", "five before 2015", "four from 2015"]))
    if kind == "month":
        year = draw(st.integers(7, 99))
        month = draw(st.just(0) | st.integers(13, 99))
        digits = draw(st.sampled_from([4, 5]))
        yymm, reason = f"{year:02d}{month:02d}", "does not exist"
    elif kind == "five before 2015":
        yymm = draw(st.sampled_from([m for m in YYMM_NEW if m < "1501"]))
        digits, reason = 5, "four digits"
    else:
        yymm = draw(st.sampled_from([m for m in YYMM_NEW if m >= "1501"]))
        digits, reason = 4, "five digits"
    number = draw(st.integers(1, 10**digits - 1))
    version = draw(st.sampled_from(["", "v1", "v7"]))
    return f"{yymm}.{number:0{digits}d}{version}", reason


@given(impossible_ids())
def test_impossible_ids_are_refused_with_the_right_form_shown(case: tuple[str, str]) -> None:
    text, reason = case
    with pytest.raises(InvalidArxivId) as caught:
        parse_arxiv_id(text)
    assert reason in str(caught.value)
    assert RIGHT_FORM in str(caught.value)
    assert find_arxiv_ids(f"see {text} please") == []


ID_LIKE = st.text(alphabet="0123456789.v/:<>|-#?_ abdefhilmoprstwxyGTV\n")


@given(st.text() | ID_LIKE)
def test_arbitrary_text_only_ever_raises_invalid_arxiv_id(text: str) -> None:
    try:
        parse_arxiv_id(text)
    except InvalidArxivId as error:
        message = str(error)
        assert RIGHT_FORM in message
        assert "Traceback" not in message
        assert len(message) < 500
    find_arxiv_ids(text)


def test_find_in_a_slack_message() -> None:
    message = (
        "look at <https://arxiv.org/abs/2602.10905v2|this one> and "
        "<https://arxiv.org/pdf/0704.0001.pdf>, also <https://arxiv.org/abs/2602.10905|again>."
    )
    assert find_arxiv_ids(message) == [ArxivId("2602.10905", 2), ArxivId("0704.0001")]


def test_find_in_plain_text() -> None:
    message = (
        "look at https://arxiv.org/abs/2602.10905v2 and arXiv:0704.0001; the classic "
        "(hep-th/9901001) and math.GT/0309136. DOI 10.48550/arXiv.1501.00001. "
        "Not 1412.12345, not foo/1234567, not https://example.com/2602.11111, not 12602.10905."
    )
    assert find_arxiv_ids(message) == [
        ArxivId("2602.10905", 2),
        ArxivId("0704.0001"),
        ArxivId("hep-th/9901001"),
        ArxivId("math/0309136"),
        ArxivId("1501.00001"),
    ]


def test_find_in_text_without_ids() -> None:
    assert find_arxiv_ids("") == []
    assert find_arxiv_ids("version 1.2 of the paper, page 2602") == []
