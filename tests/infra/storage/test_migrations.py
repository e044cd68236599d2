"""Alembic migrations on SQLite and PostgreSQL: fresh databases, old databases, racing starts."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from bot.domain.channel import ChannelRef
from bot.domain.votes import ChannelVote, VoteChange
from bot.infra.storage.database import create_engine
from bot.infra.storage.migrate import (
    BASELINE,
    MIGRATIONS,
    SchemaTooNew,
    current_revision,
    head_revision,
    table_names,
    upgrade_database,
)
from bot.infra.storage.mutes import MuteAdded, MuteStore
from bot.infra.storage.repository import Repository
from bot.infra.storage.votes import Votes
from tests.fakes.clock import FakeClock
from tests.infra.storage.conftest import DEFAULT_SCHEDULE, make_paper

ROOT = Path(__file__).resolve().parents[3]
GENERAL = ChannelRef("slack", "T1", "C1", "general")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's empty database."""
    made = create_engine(database_url)
    yield made
    await made.dispose()


def _differences(connection: sa.Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def _insert_old_data(engine: AsyncEngine) -> None:
    """Rows as an older Paperboy wrote them, in plain SQL (today's models may differ)."""
    async with engine.begin() as connection:
        await connection.execute(
            sa.text(
                "INSERT INTO channels (id, platform, workspace, channel_id, name, timezone, digest_time,"
                " weekdays, max_papers, paused, created_at) VALUES (1, 'slack', 'T1', 'C1', 'general',"
                " 'Europe/Berlin', '07:30', 'mon,tue,wed,thu,fri', 5, false, :at)"
            ),
            {"at": "2026-02-01 08:00:00+00:00"},
        )
        await connection.execute(
            sa.text("INSERT INTO subscriptions (channel_pk, topic, added_by) VALUES (1, 'bilevel', 'ada')")
        )
        await connection.execute(
            sa.text(
                "INSERT INTO deliveries (channel_pk, arxiv_id, version, status, run_id, message_ref)"
                " VALUES (1, '2602.10905', 1, 'posted', 'r1', 'ts-1')"
            )
        )


async def _check_old_data_survived(engine: AsyncEngine) -> None:
    repo = Repository(engine, DEFAULT_SCHEDULE, 10, FakeClock())
    state = await repo.get_channel(GENERAL)
    assert state is not None
    assert state.schedule.at == time(7, 30) and state.schedule.timezone == "Europe/Berlin"
    assert state.max_papers == 5
    assert [t.topic for t in await repo.topics(GENERAL)] == ["bilevel"]
    assert await repo.posted_count(GENERAL) == 1
    # The new schema works: the old paper is not claimed twice, a new one is.
    old, new = make_paper("2602.10905"), make_paper("2602.20000", announced=date(2026, 2, 12))
    await repo.save_papers([old, new])
    assert await repo.record_intent(GENERAL, [old, new], "r2") == ["2602.20000"]
    # An old channel can mute (revision 0011's table, with its cap counted per channel).
    mutes = MuteStore(engine)
    assert (
        await mutes.add(GENERAL, "cat:cs.CV", "ada", datetime(2026, 2, 12, tzinfo=UTC), cap=1)
        is MuteAdded.ADDED
    )
    assert (
        await mutes.add(GENERAL, "rendering", "ada", datetime(2026, 2, 12, tzinfo=UTC), cap=1)
        is MuteAdded.FULL
    )


async def test_a_fresh_database_gets_exactly_the_schema_the_code_expects(engine: AsyncEngine) -> None:
    report = await upgrade_database(engine)
    assert report.before is None and report.after == head_revision()
    assert await current_revision(engine) == head_revision()
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_upgrading_twice_changes_nothing(engine: AsyncEngine) -> None:
    await upgrade_database(engine)
    again = await upgrade_database(engine)
    assert not again.changed


async def test_a_database_at_the_first_revision_keeps_its_data_through_upgrade(engine: AsyncEngine) -> None:
    await upgrade_database(engine, BASELINE)
    assert await current_revision(engine) == BASELINE
    await _insert_old_data(engine)
    await upgrade_database(engine)
    assert await current_revision(engine) == head_revision()
    await _check_old_data_survived(engine)


async def test_a_database_made_before_migrations_is_adopted_not_recreated(engine: AsyncEngine) -> None:
    # Such a database has the baseline tables and no alembic_version table.
    await upgrade_database(engine, BASELINE)
    async with engine.begin() as connection:
        await connection.execute(sa.text("DROP TABLE alembic_version"))
    await _insert_old_data(engine)
    assert await current_revision(engine) is None

    report = await upgrade_database(engine)
    assert report.stamped
    assert report.after == head_revision()
    await _check_old_data_survived(engine)


async def test_processes_starting_together_on_an_empty_database_both_succeed(database_url: str) -> None:
    engines = [create_engine(database_url) for _ in range(3)]
    try:
        reports = await asyncio.gather(*(upgrade_database(e) for e in engines))
        assert sum(1 for r in reports if r.before is None) == 1  # one migrated, the others waited
        assert {"channels", "deliveries", "alembic_version"} <= await table_names(engines[0])
    finally:
        for made in engines:
            await made.dispose()


async def test_a_database_from_a_newer_paperboy_is_refused_plainly(engine: AsyncEngine) -> None:
    await upgrade_database(engine)
    async with engine.begin() as connection:
        await connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaTooNew, match=r"revision 9999.*newer Paperboy"):
        await upgrade_database(engine)


async def test_feedback_rows_become_real_thumbs_down_votes_with_their_time(engine: AsyncEngine) -> None:
    await upgrade_database(engine, "0009")
    await _insert_old_data(engine)
    async with engine.begin() as connection:
        for user, at in (("U1", "2026-02-03 10:00:00+00:00"), ("U2", "2026-02-04 11:30:00+00:00")):
            await connection.execute(
                sa.text(
                    "INSERT INTO feedback (channel_pk, arxiv_id, user_id, kind, created_at)"
                    " VALUES (1, '2602.10905', :user, 'not_relevant', :at)"
                ),
                {"user": user, "at": at},
            )
    await upgrade_database(engine)

    votes = Votes(engine, FakeClock())
    assert await votes.channel_votes([1]) == {1: [ChannelVote("2602.10905", -1, weak=False)] * 2}
    async with engine.connect() as connection:
        rows = (
            await connection.execute(sa.text("SELECT user_id, voted_at FROM votes ORDER BY user_id"))
        ).all()
        assert "feedback" not in await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
    assert [(user, str(at)[:16]) for user, at in rows] == [
        ("U1", "2026-02-03 10:00"),
        ("U2", "2026-02-04 11:30"),
    ]
    # The migrated 👎 is the member's vote like any other: a 👍 changes it, a weak 👍 does not.
    assert await votes.record(GENERAL, "2602.10905", "U1", up=True, weak=True) is VoteChange.KEPT
    assert await votes.record(GENERAL, "2602.10905", "U1", up=True) is VoteChange.CHANGED


async def test_channels_keep_how_their_days_read_and_a_weekly_channel_is_stored_as_weekly(
    engine: AsyncEngine,
) -> None:
    await upgrade_database(engine, "0011")  # before the cadence column
    await _insert_old_data(engine)  # #general: weekdays
    async with engine.begin() as connection:
        for pk, channel_id, days in ((2, "C2", "mon"), (3, "C3", "mon,tue,wed,thu,fri,sat,sun")):
            await connection.execute(
                sa.text(
                    "INSERT INTO channels (id, platform, workspace, channel_id, name, timezone, digest_time,"
                    " weekdays, max_papers, paused) VALUES (:pk, 'slack', 'T1', :channel, '', 'UTC', '09:00',"
                    " :days, 10, false)"
                ),
                {"pk": pk, "channel": channel_id, "days": days},
            )
    await upgrade_database(engine)

    async with engine.connect() as connection:
        stored = dict((await connection.execute(sa.text("SELECT id, cadence FROM channels"))).all())
    assert stored == {1: "weekdays", 2: "days", 3: "daily"}
    repo = Repository(engine, DEFAULT_SCHEDULE, 10, FakeClock())
    shown = {s.ref.channel_id: s.schedule.describe() for s in await repo.all_channels()}
    assert shown == {"C1": "07:30 Europe/Berlin, weekdays", "C2": "09:00 UTC, mon", "C3": "09:00 UTC, daily"}

    mondays = ChannelRef("slack", "T1", "C2")
    state = await repo.get_channel(mondays)
    assert state is not None and not state.schedule.weekly
    await repo.update_channel(mondays, schedule=replace(state.schedule, weekly=True))
    again = await repo.get_channel(mondays)
    assert again is not None and again.schedule.describe() == "09:00 UTC, weekly on Monday"
    await _check_old_data_survived(engine)


def test_the_migration_files_are_shipped_in_the_package() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for path in MIGRATIONS.rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        package = ".".join(path.parent.relative_to(ROOT).parts)
        if path.suffix == ".py":
            assert (path.parent / "__init__.py").exists(), f"{path} is not in a package"
        else:
            assert path.name in data.get(package, []), f"{path} is missing from package-data"
