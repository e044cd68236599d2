"""`paperboy usage`: LLM spend per channel or per person and day, as tables for the operator."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.infra.storage.llm_store import LlmStore
from bot.infra.storage.user_usage import UserUsageStore
from bot.ports import UsageLine, UserUsageLine

Printable = Table | str


@dataclass(frozen=True, slots=True)
class UsageReport:
    """What was spent from `first` on, per channel and per person; `per_user` is today's limit."""

    first: date
    channels: list[UsageLine]
    people: list[UserUsageLine]
    per_user: int

    def channel_table(self) -> list[Printable]:
        """Per channel and day, with totals; one line about people (their ids only with --people)."""
        if not self.channels:
            return [f"No LLM calls since {self.first}."]
        table = _table(f"LLM usage since {self.first} (UTC days)", "Channel")
        for line in self.channels:
            table.add_row(str(line.day), line.channel_key, *_figures(line))
        table.add_section()
        count = len({line.channel_key for line in self.channels})
        table.add_row("Total", f"{count} channels", *_totals(self.channels))
        return [table, self._people_summary()]

    def people_table(self) -> list[Printable]:
        """Per person (`platform:user id`) and day, most tokens first, with tokens held by calls in flight."""
        if not self.people:
            return [f"No one asked for explanations or answers since {self.first}."]
        table = _table(f"LLM usage per person since {self.first} (UTC days; {self._limit()})", "Person")
        table.add_column("Held now", justify="right")
        for line in self.people:
            table.add_row(str(line.day), line.user_key, *_figures(line), f"{line.held_tokens:,}")
        table.add_section()
        count = len({line.user_key for line in self.people})
        table.add_row("Total", f"{count} people", *_totals(self.people), "")
        return [table]

    def _people_summary(self) -> str:
        if not self.people:
            return (
                "No one asked for explanations or answers on demand (digests are counted per channel only)."
            )
        count = len({line.user_key for line in self.people})
        top = max(self.people, key=lambda line: line.tokens)
        return (
            f"{count} {'person' if count == 1 else 'people'} asked on demand (explain, ask); the most by one "
            f"person in a day: {top.tokens:,} tokens on {top.day} ({self._limit()}). "
            "`paperboy usage --people` lists them."
        )

    def _limit(self) -> str:
        return f"limit {self.per_user:,} a day" if self.per_user else "no per-person limit"


async def read_usage(engine: AsyncEngine, first: date, per_user: int) -> UsageReport:
    """Both ledgers from `first` on."""
    channels = await LlmStore(engine).usage(first)
    people = await UserUsageStore(engine).usage(first)
    return UsageReport(first, channels, people, per_user)


def _table(title: str, who: str) -> Table:
    table = Table(title=title)
    for heading in ("Day", who, "Calls", "Prompt tokens", "Completion tokens", "Cost (USD)"):
        table.add_column(heading, justify="left" if heading in ("Day", who) else "right")
    return table


def _figures(line: UsageLine | UserUsageLine) -> list[str]:
    return [f"{line.calls:,}", f"{line.prompt_tokens:,}", f"{line.completion_tokens:,}", f"{line.cost:.4f}"]


def _totals(lines: Sequence[UsageLine | UserUsageLine]) -> list[str]:
    return [
        f"{sum(line.calls for line in lines):,}",
        f"{sum(line.prompt_tokens for line in lines):,}",
        f"{sum(line.completion_tokens for line in lines):,}",
        f"{sum(line.cost for line in lines):.4f}",
    ]
