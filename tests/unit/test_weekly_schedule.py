"""`schedule weekly mon 09:00 Europe/Berlin`: one way to ask for the week's best papers, and clear
answers for the ways that cannot work."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.domain.command_parser import parse_command
from bot.domain.commands import NotUnderstood, SetSchedule
from bot.domain.schedule import (
    DAILY,
    WEEKDAYS,
    Cadence,
    CadenceKind,
    Schedule,
    ScheduleError,
    changed_schedule,
    next_occurrence,
    stored_cadence,
)

BERLIN_DAILY = Schedule(time(8, 0), "Europe/Berlin", DAILY)
WEEKLY_MONDAY = SetSchedule(time(9, 0), "Europe/Berlin", Cadence(CadenceKind.WEEKLY, frozenset({0})))


@pytest.mark.parametrize(
    "line",
    [
        "schedule weekly mon 09:00 Europe/Berlin",  # as the README and the issue write it
        "schedule 09:00 Europe/Berlin weekly mon",  # as the help's field order has it
        "/paper schedule Weekly Monday 9am europe/berlin",
        "schedule weekly mon 9 am Europe/Berlin",
    ],
)
def test_a_weekly_schedule_reads_the_same_whatever_the_order_of_its_parts(line: str) -> None:
    assert parse_command(line) == WEEKLY_MONDAY


def test_a_weekly_schedule_says_so_and_its_next_digest_is_the_next_monday() -> None:
    command = parse_command("schedule weekly mon 09:00 Europe/Berlin")
    assert isinstance(command, SetSchedule)
    weekly = changed_schedule(BERLIN_DAILY, command.at, command.timezone, command.cadence)
    assert weekly.weekly and weekly.span_days == 7
    assert weekly.describe() == "09:00 Europe/Berlin, weekly on Monday"
    assert weekly.days_text == "weekly mon"
    wednesday = datetime(2026, 2, 18, 12, 0, tzinfo=UTC)
    upcoming = next_occurrence(weekly, wednesday)
    assert upcoming == datetime(2026, 2, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin (CET)
    assert upcoming.date() == date(2026, 2, 23) and upcoming.weekday() == 0

    # A digest on Mondays without `weekly` is a daily digest that skips the other days.
    mondays = changed_schedule(BERLIN_DAILY, time(9, 0), cadence=Cadence.of(frozenset({0})))
    assert not mondays.weekly and mondays.span_days is None
    assert mondays.describe() == "09:00 Europe/Berlin, mon"


def test_a_new_time_keeps_the_week_and_new_days_replace_it() -> None:
    weekly = Schedule(time(9, 0), "Europe/Berlin", frozenset({0}), weekly=True)
    assert changed_schedule(weekly, time(7, 30)) == Schedule(
        time(7, 30), "Europe/Berlin", frozenset({0}), True
    )
    weekdays = changed_schedule(weekly, time(7, 30), cadence=Cadence(CadenceKind.WEEKDAYS, WEEKDAYS))
    assert not weekdays.weekly and weekdays.weekdays == WEEKDAYS
    friday = changed_schedule(weekly, time(7, 30), cadence=Cadence(CadenceKind.WEEKLY, frozenset({4})))
    assert friday.describe() == "07:30 Europe/Berlin, weekly on Friday"


def test_what_storage_keeps_reads_back_as_it_was_said() -> None:
    for cadence in (
        Cadence(CadenceKind.WEEKLY, frozenset({0})),
        Cadence(CadenceKind.DAILY, DAILY),
        Cadence(CadenceKind.WEEKDAYS, WEEKDAYS),
        Cadence(CadenceKind.DAYS, frozenset({0, 2, 4})),
        Cadence(CadenceKind.DAYS, frozenset({0})),
    ):
        assert stored_cadence(cadence.kind.value, cadence.days) == cadence
    # Rows from before the column, or days changed by an older process, read as their days read.
    assert stored_cadence("days", DAILY) == Cadence(CadenceKind.DAILY, DAILY)
    assert stored_cadence("weekly", WEEKDAYS) == Cadence(CadenceKind.WEEKDAYS, WEEKDAYS)
    assert stored_cadence("", frozenset({0})) == Cadence(CadenceKind.DAYS, frozenset({0}))
    with pytest.raises(ScheduleError):
        Schedule(time(9, 0), "UTC", WEEKDAYS, weekly=True)


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        ("weekly", "`weekly`: on which day? Name one, e.g. `schedule weekly mon 09:00 Europe/Berlin`."),
        ("09:00 weekly", "`weekly`: on which day? Name one, e.g. `schedule weekly mon 09:00 Europe/Berlin`."),
        (
            "weekly mon,fri 09:00",
            "`weekly mon,fri`: a weekly digest comes on one day, e.g. "
            "`schedule weekly mon 09:00 Europe/Berlin`; for digests on several days drop "
            "`weekly`: `mon,fri`.",
        ),
        (
            "weekly mon-fri 09:00",
            "`weekly mon-fri`: a weekly digest comes on one day, e.g. "
            "`schedule weekly mon 09:00 Europe/Berlin`; for digests on several days drop "
            "`weekly`: `mon,tue,wed,thu,fri`.",
        ),
        (
            "mon weekly 09:00",
            "`mon weekly`: say `weekly` before its day, e.g. `schedule weekly mon 09:00 Europe/Berlin`.",
        ),
        ("weekly mon", "Give a time too, e.g. `schedule weekly mon 09:00 Europe/Berlin`."),
        ("weekly someday 09:00", "`weekly someday`: `someday` is not a day."),
        ("weekly mon 09:00 10:00", "Give one time, not `09:00` and `10:00`"),
        ("weekly mon 09:00 UTC Europe/Berlin", "Give one time zone, not `UTC` and `Europe/Berlin`"),
    ],
)
def test_weekly_schedules_that_cannot_work_get_one_line_with_an_example(args: str, complaint: str) -> None:
    command = parse_command(f"schedule {args}")
    assert isinstance(command, NotUnderstood)
    assert command.why.startswith(complaint)
    assert "\n" not in command.why and "e.g." in command.why
    assert command.managing and not command.show_help
