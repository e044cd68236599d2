"""What people type for schedules and commands, and what Paperboy understands."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.commands import (
    Ask,
    Explain,
    ListTopics,
    PostDigest,
    SetSchedule,
    ShowHelp,
    Subscribe,
    Unsubscribe,
    parse_command,
)
from bot.domain.schedule import (
    DAILY,
    WEEKDAYS,
    Schedule,
    ScheduleError,
    next_occurrence,
    parse_schedule,
    previous_occurrence,
)

UTC_DAILY = Schedule(at=time(9, 0), timezone="UTC", weekdays=DAILY)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("09:00", Schedule(time(9, 0), "UTC", DAILY)),
        ("7:30 Europe/Berlin", Schedule(time(7, 30), "Europe/Berlin", DAILY)),
        ("17:05 america/new_york weekdays", Schedule(time(17, 5), "America/New_York", WEEKDAYS)),
        ("9am UTC mon,wed,fri", Schedule(time(9, 0), "UTC", frozenset({0, 2, 4}))),
        ("5:30pm Asia/Tokyo mon-wed", Schedule(time(17, 30), "Asia/Tokyo", frozenset({0, 1, 2}))),
        ("08:00 fri-mon", Schedule(time(8, 0), "UTC", frozenset({4, 5, 6, 0}))),
        ("12:00 monday tuesday", Schedule(time(12, 0), "UTC", frozenset({0, 1}))),
    ],
)
def test_schedules_people_type(args: str, expected: Schedule) -> None:
    assert parse_schedule(args, UTC_DAILY) == expected


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        ("", "Give a time"),
        ("25:00", "not a time of day"),
        ("9", "not a time"),
        ("13pm", "1 to 12"),
        ("09:00 Mars/Olympus", "not a time zone"),
        ("09:00 UTC someday", "not a day"),
    ],
)
def test_bad_schedules_say_what_is_wrong_and_show_an_example(args: str, complaint: str) -> None:
    with pytest.raises(ScheduleError, match=complaint):
        parse_schedule(args, UTC_DAILY)


def test_next_and_previous_occurrence_follow_the_channel_time_zone_and_days() -> None:
    berlin_weekdays = Schedule(time(9, 0), "Europe/Berlin", WEEKDAYS)
    friday_noon = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday
    # Next is Monday 09:00 in Berlin (08:00 UTC in winter), skipping the weekend.
    assert next_occurrence(berlin_weekdays, friday_noon) == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert previous_occurrence(berlin_weekdays, friday_noon) == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    # Summer time moves the UTC hour.
    assert next_occurrence(berlin_weekdays, datetime(2026, 7, 1, 0, 0, tzinfo=UTC)).hour == 7


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("subscribe convergence", Subscribe("convergence")),
        ("/subscribe  cat:cs.LG AND diffusion ", Subscribe("cat:cs.LG AND diffusion")),
        ("/paper subscribe convergence", Subscribe("convergence")),
        ("UNSUBSCRIBE 2", Unsubscribe("2")),
        ("topics", ListTopics()),
        ("/digest", PostDigest()),
        ("explain https://arxiv.org/abs/2602.10905", Explain("https://arxiv.org/abs/2602.10905")),
        ("ask 2602.10905 what is the surrogate?", Ask("2602.10905", "what is the surrogate?")),
        ("schedule 09:00 Europe/Berlin", SetSchedule("09:00 Europe/Berlin")),
    ],
)
def test_commands_with_or_without_a_slash(line: str, command: object) -> None:
    assert parse_command(line) == command


@pytest.mark.parametrize("line", ["", "frobnicate", "subscribe", "ask 2602.10905", "x" * 5000])
def test_anything_else_gets_help_with_a_reason(line: str) -> None:
    command = parse_command(line)
    assert isinstance(command, ShowHelp)
    if line:
        assert command.lead


@given(st.text(max_size=200))
def test_no_text_crashes_the_command_parser(text: str) -> None:
    parse_command(text)
