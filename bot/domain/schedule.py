"""When a channel gets its digest: a local time, a time zone and a set of weekdays."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAILY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
SCHEDULE_EXAMPLE = "schedule 09:00 Europe/Berlin weekdays"


class ScheduleError(ValueError):
    """A schedule a person typed that we cannot use; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """A digest time in a channel's own time zone, on some days of the week."""

    at: time
    timezone: str
    weekdays: frozenset[int] = DAILY

    @property
    def days_text(self) -> str:
        """`daily`, `weekdays` or `mon,wed,fri`: the form a person would type."""
        if self.weekdays == DAILY:
            return "daily"
        if self.weekdays == WEEKDAYS:
            return "weekdays"
        return ",".join(DAY_NAMES[d] for d in sorted(self.weekdays))

    @property
    def cron_days(self) -> str:
        """The weekdays in APScheduler's cron syntax."""
        return ",".join(DAY_NAMES[d] for d in sorted(self.weekdays))

    def describe(self) -> str:
        """`09:00 Europe/Berlin, weekdays`."""
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


def parse_weekdays(text: str) -> frozenset[int]:
    """Read `daily`, `weekdays`, `weekends` or a list such as `mon,wed,fri` or `mon-fri`."""
    word = text.strip().lower()
    if word in {"daily", "everyday", "every-day", "all"}:
        return DAILY
    if word in {"weekdays", "workdays"}:
        return WEEKDAYS
    if word in {"weekends", "weekend"}:
        return frozenset({5, 6})
    days: set[int] = set()
    for part in filter(None, re.split(r"[,\s]+", word)):
        if "-" in part:
            start, _, end = part.partition("-")
            first, last = _day_number(start, text), _day_number(end, text)
            span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            days.update(span)
        else:
            days.add(_day_number(part, text))
    if not days:
        raise ScheduleError("Name at least one day, e.g. `weekdays` or `mon,wed,fri`.")
    return frozenset(days)


def _day_number(token: str, original: str) -> int:
    prefix = token[:3]
    if len(token) >= 2 and prefix in DAY_NAMES and DAY_NAMES[DAY_NAMES.index(prefix)].startswith(token[:3]):
        return DAY_NAMES.index(prefix)
    raise ScheduleError(
        f"`{original}`: `{token}` is not a day. Use `daily`, `weekdays` or days like `mon,wed,fri`."
    )


def parse_schedule(args: str, current: Schedule) -> Schedule:
    """Read `HH:MM [time zone] [days]`, keeping what is not given from `current`."""
    parts = args.split()
    if not parts:
        raise ScheduleError(f"Give a time, e.g. `{SCHEDULE_EXAMPLE}`.")
    at = parse_time(parts[0])
    timezone, weekdays = current.timezone, current.weekdays
    rest = parts[1:]
    if rest and ("/" in rest[0] or rest[0].upper() in {"UTC", "GMT"}):
        timezone = parse_timezone(rest.pop(0))
    if rest:
        weekdays = parse_weekdays(",".join(rest))
    return Schedule(at=at, timezone=timezone, weekdays=weekdays)


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
