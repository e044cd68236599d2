"""What people type for schedules and commands, and what Paperboy understands."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.command_parser import parse_command
from bot.domain.commands import (
    Ask,
    Command,
    Explain,
    ListTopics,
    NotUnderstood,
    PostDigest,
    SetMaxPapers,
    SetSchedule,
    ShowHelp,
    ShowSchedule,
    ShowSettings,
    Subscribe,
    Unsubscribe,
)
from bot.domain.schedule import (
    DAILY,
    WEEKDAYS,
    Cadence,
    CadenceKind,
    Schedule,
    changed_schedule,
    next_occurrence,
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
    command = parse_command(f"schedule {args}")
    assert isinstance(command, SetSchedule)
    assert changed_schedule(UTC_DAILY, command.at, command.timezone, command.cadence) == expected


def test_the_schedule_command_carries_its_cadence() -> None:
    assert parse_command("schedule 09:00 Europe/Berlin weekly mon") == SetSchedule(
        time(9, 0), "Europe/Berlin", Cadence(CadenceKind.WEEKLY, frozenset({0}))
    )
    assert parse_command("schedule 7:30 weekdays") == SetSchedule(
        time(7, 30), None, Cadence(CadenceKind.WEEKDAYS, WEEKDAYS)
    )
    assert parse_command("schedule 7:30 mon,wed") == SetSchedule(
        time(7, 30), None, Cadence(CadenceKind.DAYS, frozenset({0, 2}))
    )
    assert parse_command("schedule 18:00") == SetSchedule(time(18, 0))  # keeps the zone and days
    assert parse_command("schedule") == ShowSchedule()
    weekly = parse_command("schedule 09:00 weekly mon,fri")
    assert isinstance(weekly, NotUnderstood) and "weekly mon" in weekly.why


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
    command = parse_command(f"schedule {args}")
    if not args:
        assert command == ShowSchedule()  # `schedule` alone shows it; a time is asked for in setting it
        return
    assert isinstance(command, NotUnderstood) and complaint in command.why
    assert command.managing and not command.show_help  # a plain error, after the permission check


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
        ("schedule 09:00 Europe/Berlin", SetSchedule(time(9, 0), "Europe/Berlin")),
        ("settings", ShowSettings()),
        ("settings max 15", SetMaxPapers(15)),
        ("/paper settings cap 7", SetMaxPapers(7)),
        ("help", ShowHelp()),
        ("", ShowHelp()),
    ],
)
def test_commands_with_or_without_a_slash(line: str, command: Command) -> None:
    assert parse_command(line) == command


@pytest.mark.parametrize("line", ["frobnicate", "subscribe", "ask 2602.10905", "x" * 5000, "settings foo"])
def test_anything_else_gets_help_with_a_reason(line: str) -> None:
    command = parse_command(line)
    assert isinstance(command, NotUnderstood) and command.show_help and command.why


@pytest.mark.parametrize("value", ["²", "0", "51", "-3", "fifteen", "", "1" * 30])
def test_a_cap_that_is_no_number_from_1_to_50_says_so_with_an_example(value: str) -> None:
    command = parse_command(f"settings max {value}")
    assert isinstance(command, NotUnderstood) and command.managing
    assert "from 1 to 50" in command.why and "`settings max 15`" in command.why


@given(st.text(max_size=200))
def test_no_text_crashes_the_command_parser(text: str) -> None:
    parse_command(text)
