"""When a channel gets its digest: a local time, a time zone and a set of weekdays."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_WORDS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAILY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
SCHEDULE_EXAMPLE = "schedule 09:00 Europe/Berlin weekdays"
WEEKLY_EXAMPLE = "schedule weekly mon 09:00 Europe/Berlin"
# A weekly digest ranks every paper announced in the week before it, and a first one looks as far.
WEEKLY_SPAN_DAYS = 7


class ScheduleError(ValueError):
    """A schedule a person typed that we cannot use; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """A digest time in a channel's own time zone, on some days of the week.

    `weekly`: one day a week whose digest holds the week's best papers (`weekly mon`), not only
    that day's; it is what tells a weekly channel from one that gets a daily digest on Mondays.
    """

    at: time
    timezone: str
    weekdays: frozenset[int] = DAILY
    weekly: bool = False

    def __post_init__(self) -> None:
        if self.weekly and len(self.weekdays) != 1:
            raise ScheduleError("a weekly digest comes on exactly one day")

    @property
    def cadence(self) -> Cadence:
        """The days and how they are said: what storage keeps and `schedule` shows."""
        return Cadence(CadenceKind.WEEKLY, self.weekdays) if self.weekly else Cadence.of(self.weekdays)

    @property
    def days_text(self) -> str:
        """`daily`, `weekdays`, `mon,wed,fri` or `weekly mon`: the form a person would type."""
        return self.cadence.text

    @property
    def cron_days(self) -> str:
        """The weekdays in APScheduler's cron syntax."""
        return ",".join(DAY_NAMES[d] for d in sorted(self.weekdays))

    @property
    def span_days(self) -> int | None:
        """How many days back a digest of this schedule reaches at most: a week for weekly ones."""
        return WEEKLY_SPAN_DAYS if self.weekly else None

    def describe(self) -> str:
        """`09:00 Europe/Berlin, weekdays`, or `09:00 Europe/Berlin, weekly on Monday`."""
        if self.weekly:
            (day,) = self.weekdays
            return f"{self.at:%H:%M} {self.timezone}, weekly on {DAY_WORDS[day]}"
        return f"{self.at:%H:%M} {self.timezone}, {self.days_text}"


def parse_time(text: str) -> time:
    """Read `9:00`, `09:00`, `17:30`, `9am` or `5:30pm`."""
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*([ap]m)?", text.strip().lower())
    if not match:
        raise ScheduleError(f"`{text}` is not a time. Write it as HH:MM, e.g. `{SCHEDULE_EXAMPLE}`.")
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    meridiem = match.group(3)
    if meridiem:
        if not 1 <= hours <= 12:
            raise ScheduleError(f"`{text}`: with am/pm the hour is 1 to 12.")
        hours = hours % 12 + (12 if meridiem == "pm" else 0)
    elif match.group(2) is None:
        raise ScheduleError(f"`{text}` is not a time. Write it as HH:MM, e.g. `{SCHEDULE_EXAMPLE}`.")
    if hours > 23 or minutes > 59:
        raise ScheduleError(f"`{text}` is not a time of day (00:00 to 23:59).")
    return time(hours, minutes)


@functools.cache
def _zones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def parse_timezone(text: str) -> str:
    """Accept an IANA zone name in any letter case (`europe/berlin` -> `Europe/Berlin`)."""
    candidate = text.strip()
    if candidate.upper() in {"UTC", "GMT", "Z"}:
        return "UTC"
    zones = _zones_by_lower_name()
    if candidate.lower() in zones:
        return zones[candidate.lower()]
    region = candidate.lower().rstrip("/") + "/"
    inside = sorted(name for lower, name in zones.items() if lower.startswith(region))
    if candidate and inside:
        examples = " or ".join(f"`{name}`" for name in inside[:2])
        raise ScheduleError(f"`{text}` is a region with {len(inside)} time zones; name one, e.g. {examples}.")
    try:  # a valid key the zone list leaves out; a folder or a bad path raises OSError or ValueError
        ZoneInfo(candidate)
        return candidate
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    raise ScheduleError(
        f"`{text}` is not a time zone I know. Use an IANA name such as `Europe/Berlin`, "
        "`America/New_York` or `UTC`."
    )


class CadenceKind(StrEnum):
    """How often a digest comes: the words people use for it."""

    DAILY = "daily"
    WEEKDAYS = "weekdays"
    DAYS = "days"  # chosen days, e.g. mon,wed,fri
    WEEKLY = "weekly"  # one day a week, said as `weekly mon` (the relevance issue gives it a week's papers)


@dataclass(frozen=True, slots=True)
class Cadence:
    """The days a digest comes on, and how the person said it."""

    kind: CadenceKind
    days: frozenset[int]

    @classmethod
    def of(cls, days: frozenset[int]) -> Cadence:
        """The cadence a set of days reads as."""
        if days == DAILY:
            return cls(CadenceKind.DAILY, DAILY)
        if days == WEEKDAYS:
            return cls(CadenceKind.WEEKDAYS, WEEKDAYS)
        return cls(CadenceKind.DAYS, days)

    @property
    def text(self) -> str:
        """`daily`, `weekdays`, `mon,wed,fri` or `weekly mon`: the form a person would type."""
        named = ",".join(DAY_NAMES[d] for d in sorted(self.days))
        if self.kind is CadenceKind.WEEKLY:
            return f"weekly {named}"
        return named if self.kind is CadenceKind.DAYS else self.kind.value


def parse_cadence(text: str) -> Cadence:
    """Read `daily`, `weekdays`, `weekends`, `weekly mon` or days such as `mon,wed,fri` or `mon-fri`."""
    word = text.strip().lower()
    if word in {"daily", "everyday", "every-day", "all"}:
        return Cadence(CadenceKind.DAILY, DAILY)
    if word in {"weekdays", "workdays"}:
        return Cadence(CadenceKind.WEEKDAYS, WEEKDAYS)
    if word in {"weekends", "weekend"}:
        return Cadence(CadenceKind.DAYS, frozenset({5, 6}))
    first, _, rest = word.replace(",", " ").partition(" ")
    if first == "weekly":
        return _weekly(rest, text)
    if "weekly" in word.replace(",", " ").split():
        raise ScheduleError(f"`{text}`: say `weekly` before its day, e.g. `{WEEKLY_EXAMPLE}`.")
    days = _days(word, text)
    if not days:
        raise ScheduleError("Name at least one day, e.g. `weekdays` or `mon,wed,fri`.")
    return Cadence.of(days)


def _weekly(rest: str, original: str) -> Cadence:
    """`weekly <day>`: exactly one day, so a week's papers are ranked once, together."""
    if not rest.strip():
        raise ScheduleError(f"`{original.strip()}`: on which day? Name one, e.g. `{WEEKLY_EXAMPLE}`.")
    days = _days(rest, original)
    if len(days) != 1:
        named = ",".join(DAY_NAMES[d] for d in sorted(days))
        raise ScheduleError(
            f"`{original.strip()}`: a weekly digest comes on one day, e.g. `{WEEKLY_EXAMPLE}`; "
            f"for digests on several days drop `weekly`: `{named}`."
        )
    return Cadence(CadenceKind.WEEKLY, days)


def stored_cadence(kind: str, days: frozenset[int]) -> Cadence:
    """The cadence stored days and kind read as: weekly when so stored on one day, else as the days read."""
    if kind == CadenceKind.WEEKLY and len(days) == 1:
        return Cadence(CadenceKind.WEEKLY, days)
    return Cadence.of(days)


def parse_weekdays(text: str) -> frozenset[int]:
    """The days of `daily`, `weekdays`, `weekly mon`, `mon,wed,fri` or `mon-fri`."""
    return parse_cadence(text).days


def _days(word: str, original: str) -> frozenset[int]:
    days: set[int] = set()
    for part in filter(None, re.split(r"[,\s]+", word)):
        if "-" in part:
            start, _, end = part.partition("-")
            first, last = _day_number(start, original), _day_number(end, original)
            span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            days.update(span)
        else:
            days.add(_day_number(part, original))
    return frozenset(days)


def _day_number(token: str, original: str) -> int:
    prefix = token[:3]
    if len(token) >= 2 and prefix in DAY_NAMES and DAY_NAMES[DAY_NAMES.index(prefix)].startswith(token[:3]):
        return DAY_NAMES.index(prefix)
    raise ScheduleError(
        f"`{original}`: `{token}` is not a day. Use e.g. `daily`, `weekdays`, `mon,wed,fri` or `weekly mon`."
    )


def changed_schedule(
    current: Schedule, at: time, timezone: str | None = None, cadence: Cadence | None = None
) -> Schedule:
    """The schedule `schedule <at> [timezone] [cadence]` asks for, keeping what is not given."""
    return Schedule(
        at=at,
        timezone=timezone or current.timezone,
        weekdays=cadence.days if cadence is not None else current.weekdays,
        weekly=cadence.kind is CadenceKind.WEEKLY if cadence is not None else current.weekly,
    )


def next_occurrence(schedule: Schedule, after: datetime) -> datetime:
    """The first digest time strictly after `after`, as an aware datetime in UTC."""
    zone = ZoneInfo(schedule.timezone)
    local = after.astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        candidate = datetime.combine(day, schedule.at, tzinfo=zone)
        if day.weekday() in schedule.weekdays and candidate > local:
            return candidate.astimezone(UTC)
    raise ScheduleError("a schedule needs at least one weekday")


def previous_occurrence(schedule: Schedule, before: datetime) -> datetime:
    """The last digest time at or before `before`, as an aware datetime in UTC."""
    zone = ZoneInfo(schedule.timezone)
    local = before.astimezone(zone)
    for offset in range(8):
        day = local.date() - timedelta(days=offset)
        candidate = datetime.combine(day, schedule.at, tzinfo=zone)
        if day.weekday() in schedule.weekdays and candidate <= local:
            return candidate.astimezone(UTC)
    raise ScheduleError("a schedule needs at least one weekday")
