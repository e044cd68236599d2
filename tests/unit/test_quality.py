"""`settings quality`: what reads, what is refused with an example, and how a stored value reads back."""

from __future__ import annotations

import pytest

from bot.domain.command_parser import parse_command
from bot.domain.commands import NotUnderstood, SetQuality
from bot.domain.quality import NORMAL, Quality, QualityError, parse_quality, read_stored_quality


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("high", Quality(high=True)),
        (" HIGH ", Quality(high=True)),
        ("normal", NORMAL),
        ("0.7", Quality(cut=0.7)),
        ("70%", Quality(cut=0.7)),
        ("85", Quality(cut=0.85)),
    ],
)
def test_a_quality_reads_as_a_person_would_mean_it(typed: str, meant: Quality) -> None:
    assert parse_quality(typed) == meant
    assert parse_quality(meant.text) == meant  # stored as its text, it reads back the same


@pytest.mark.parametrize("typed", ["superb", "0.01", "150", "nan", "-0.5", "1e9"])
def test_a_quality_that_is_not_one_gets_an_example(typed: str) -> None:
    with pytest.raises(QualityError, match="settings quality high"):
        parse_quality(typed)


def test_settings_quality_is_a_managing_command_and_a_bad_one_is_not_understood() -> None:
    assert parse_command("settings quality high") == SetQuality(Quality(high=True))
    refused = parse_command("/paper settings quality soon")
    assert isinstance(refused, NotUnderstood) and refused.managing
    assert "`soon` is not a quality" in refused.why


def test_a_stored_quality_that_no_longer_reads_is_normal() -> None:
    assert read_stored_quality("garbage") == NORMAL
    assert read_stored_quality(None) == NORMAL
