"""The database schema. Times are stored as UTC; ids are arXiv ids without version."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


def _time_column(nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime(), nullable=nullable)


class ChannelRow(SQLModel, table=True):
    """A chat channel that has talked to Paperboy."""

    __tablename__ = "channels"
    __table_args__ = (sa.UniqueConstraint("platform", "workspace", "channel_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    workspace: str = Field(max_length=64)
    channel_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    digest_time: str = Field(default="09:00", max_length=5)
    weekdays: str = Field(default="mon,tue,wed,thu,fri,sat,sun", max_length=40)
    # How the days were said (`daily`, `weekdays`, `days`, `weekly`): only `weekly` changes what a
    # digest holds (the week's best papers); any other value reads as the days themselves read.
    cadence: str = Field(default="days", max_length=16, sa_column_kwargs={"server_default": "days"})
    max_papers: int = 10
    paused: bool = False
    last_digest_at: datetime | None = _time_column()
    covered_through: date | None = None
    created_at: datetime | None = _time_column()
    # Scheduling as data: when the next digest is due (None until the scheduler computes it), and
    # when the channel was last told that a due digest is late (told once per due digest).
    next_digest_at: datetime | None = Field(default=None, sa_type=UTCDateTime(), nullable=True, index=True)
    late_notice_at: datetime | None = _time_column()
    quality: str = Field(default="normal", max_length=10)  # `settings quality`: normal, high or 0.7


class SubscriptionRow(SQLModel, table=True):
    """A topic a channel follows, in normalized form."""

    __tablename__ = "subscriptions"
    __table_args__ = (sa.UniqueConstraint("channel_pk", "topic"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_pk: int = Field(foreign_key="channels.id", index=True, ondelete="CASCADE")
    topic: str = Field(max_length=400)
    added_by: str = Field(default="", max_length=200)
    added_at: datetime | None = _time_column()


class PaperRow(SQLModel, table=True):
    """Full arXiv metadata of a paper at its latest known version."""

    __tablename__ = "papers"

    arxiv_id: str = Field(primary_key=True, max_length=40)
    version: int = 1
    title: str
    authors: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    abstract: str
    categories: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    primary_category: str = Field(default="", max_length=40)
    published: datetime | None = _time_column()
    updated: datetime | None = _time_column()
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = Field(default=None, max_length=200)
    announced: date | None = Field(default=None, index=True)
    fetched_at: datetime | None = _time_column()
    # False while only the RSS listing describes it: arXiv's API lags the feed by up to a day.
    complete: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})


class ListingRow(SQLModel, table=True):
    """One fetch of arXiv's daily listing, so a day is read once, not once per channel."""

    __tablename__ = "listings"

    id: int | None = Field(default=None, primary_key=True)
    categories: str = Field(max_length=2000)
    day: date | None = None
    fetched_at: datetime | None = _time_column()
    paper_count: int = 0
    skipped: bool = False
    # The oldest day a part of the listing showed: older than `day` while one feed lags another.
    earliest_day: date | None = None


class ListedPaperRow(SQLModel, table=True):
    """A paper a day's listing named (new or cross-list), seen by the bot or not yet."""

    __tablename__ = "listed_papers"

    day: date = Field(primary_key=True)
    arxiv_id: str = Field(primary_key=True, max_length=40)


class RefusedCategoryRow(SQLModel, table=True):
    """A category arXiv's listing answered 400 for, left out of listing requests for a while."""

    __tablename__ = "refused_categories"

    category: str = Field(primary_key=True, max_length=100)
    reason: str = Field(default="", max_length=500)
    refused_at: datetime | None = _time_column()


class DeliveryRow(SQLModel, table=True):
    """A paper meant for or posted to a channel; unique so no paper reaches a channel twice."""

    __tablename__ = "deliveries"
    __table_args__ = (sa.UniqueConstraint("channel_pk", "arxiv_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_pk: int = Field(foreign_key="channels.id", index=True, ondelete="CASCADE")
    arxiv_id: str = Field(max_length=40)
    version: int = 1
    status: str = Field(default="pending", max_length=12)
    run_id: str = Field(default="", max_length=40)
    created_at: datetime | None = _time_column()
    posted_at: datetime | None = _time_column()
    message_ref: str = Field(default="", max_length=200)


class ExplanationRow(SQLModel, table=True):
    """An LLM explanation, shared by every channel: one per paper version, model and prompt."""

    __tablename__ = "explanations"
    __table_args__ = (sa.UniqueConstraint("arxiv_id", "version", "model", "prompt_version"),)

    id: int | None = Field(default=None, primary_key=True)
    arxiv_id: str = Field(max_length=40, index=True)
    version: int = 1
    model: str = Field(max_length=200)
    prompt_version: str = Field(max_length=20)
    text: str
    source: str = Field(default="title and abstract", max_length=200)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    created_at: datetime | None = _time_column()


class LlmUsageRow(SQLModel, table=True):
    """LLM calls a channel caused on one UTC day, with their tokens and cost: budgets and `usage`."""

    __tablename__ = "llm_usage"
    __table_args__ = (sa.UniqueConstraint("channel_key", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_key: str = Field(max_length=200)
    day: date = Field(index=True)
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0


class LlmUserUsageRow(SQLModel, table=True):
    """LLM calls one person caused on one UTC day, across every channel: their daily limit and `usage`.

    `held_tokens` is the worst case of their calls in flight, held before each call, so concurrent
    requests from any process cannot together pass the limit.
    """

    __tablename__ = "llm_user_usage"
    __table_args__ = (sa.UniqueConstraint("user_key", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    user_key: str = Field(max_length=200)
    day: date = Field(index=True)
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    held_tokens: int = 0


class VoteRow(SQLModel, table=True):
    """A member's 👍 (+1) or 👎 (-1) on a paper in a channel, changeable; `weak`: implied by a look."""

    __tablename__ = "votes"
    __table_args__ = (sa.UniqueConstraint("channel_pk", "arxiv_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_pk: int = Field(foreign_key="channels.id", index=True, ondelete="CASCADE")
    arxiv_id: str = Field(max_length=40)
    user_id: str = Field(max_length=64)
    value: int = Field(sa_type=sa.SmallInteger())
    weak: bool = False
    voted_at: datetime = Field(sa_type=UTCDateTime(), nullable=False)


class PlatformStateRow(SQLModel, table=True):
    """A chat platform's remembered fact, such as the fingerprint of the commands registered with Discord."""

    __tablename__ = "platform_state"

    name: str = Field(primary_key=True, max_length=100)
    value: str = Field(max_length=200)
    updated_at: datetime | None = _time_column()


class SeenRequestRow(SQLModel, table=True):
    """A request a platform delivered (Slack's event_id or trigger_id), kept minutes to spot a redelivery."""

    __tablename__ = "seen_requests"

    key: str = Field(primary_key=True, max_length=160)
    seen_at: datetime = Field(sa_type=UTCDateTime(), nullable=False, index=True)


class ArxivGateRow(SQLModel, table=True):
    """When the deployment's last arXiv request ended: PostgreSQL processes space theirs from it."""

    __tablename__ = "arxiv_gate"

    id: int = Field(primary_key=True)
    last_request_end: datetime | None = _time_column()


class PaperMissRow(SQLModel, table=True):
    """An id arXiv answered with no paper: not asked again for a while (`ARXIV_MISS_MEMORY`)."""

    __tablename__ = "paper_misses"

    arxiv_id: str = Field(primary_key=True, max_length=40)
    missed_at: datetime = Field(sa_type=UTCDateTime(), nullable=False, index=True)


class MuteRow(SQLModel, table=True):
    """A word, author or category a channel never wants, in normalized form (`cat:cs.CV`)."""

    __tablename__ = "mutes"
    __table_args__ = (sa.UniqueConstraint("channel_pk", "term"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_pk: int = Field(foreign_key="channels.id", index=True, ondelete="CASCADE")
    term: str = Field(max_length=400)
    added_by: str = Field(default="", max_length=200)
    added_at: datetime | None = _time_column()
